// Checks OTLP/JSON export request bodies against OpenTelemetry's own protobuf definitions.
//
// Usage: node tools/otlp-check/check.mjs FILE...   (install once: npm ci, in tools/otlp-check)
//
// Chapter 10 writes OTLP/JSON by hand (solutions/10-observability/src/telemetry/otlp_json.cpp).
// Its tests compare the output with what we believe the format is; this checker compares it with
// what OpenTelemetry's definitions say, independently of us: the ExportTraceServiceRequest type
// generated from opentelemetry-proto by protobufjs, as shipped in @opentelemetry/otlp-transformer
// (its build/src/generated/root.js). For each FILE holding one request body it
//   1. walks the JSON along the message types and rejects any field the type does not have
//      (protobufjs's fromObject would silently ignore a misspelt one), and any value of the wrong
//      JSON kind, with OTLP/JSON's rules: ids as hex, enums as numbers, 64-bit integers as
//      decimal strings;
//   2. turns the hex ids into bytes (OTLP/JSON's one difference from protobuf's JSON mapping,
//      which would read them as base64), builds the message with fromObject and verify()s it;
//   3. encodes it to protobuf's binary form and decodes it back, and checks that the number of
//      spans, their names, ids and times survived.
// Prints "FILE: ok" per good file; otherwise names the file and the field, and exits 1.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const proto = root.opentelemetry.proto;
const Request = proto.collector.trace.v1.ExportTraceServiceRequest;

// The generated code is "static" protobufjs: classes with fromObject/verify/encode/decode, but
// no reflection (no list of fields with their types). We read that list from the classes
// themselves: every field has a default on the prototype, and each field's conversion in
// fromObject's source says its type (a nested fromObject call, base64 for bytes, Long for 64-bit
// integers, a switch for an enum, String/Boolean/Number for the scalars).
const schemas = new Map();

function typeByName(dotted) {
    let node = root;
    for (const part of dotted.split('.').slice(1)) {  // drop the leading "$root"
        node = node[part];
    }
    if (typeof node?.fromObject !== 'function') {
        throw new Error(`checker: cannot find the generated type ${dotted}`);
    }
    return node;
}

function schemaOf(Type) {
    if (schemas.has(Type)) {
        return schemas.get(Type);
    }
    const fields = new Map();
    for (const name of Object.keys(Type.prototype)) {
        const value = Type.prototype[name];
        if (typeof value !== 'function') {
            fields.set(name, { kind: 'unknown', repeated: Array.isArray(value) });
        }
    }
    const source = Type.fromObject.toString();
    const mark = (pattern, describe) => {
        for (const match of source.matchAll(pattern)) {
            const field = fields.get(match[1]);
            if (!field) {
                throw new Error(`checker: ${Type.name}.${match[1]} is converted but has no default`);
            }
            Object.assign(field, describe(match));
        }
    };
    mark(/message\.(\w+)(?:\[i\])? = (\$root\.[\w.]+)\.fromObject\(/g,
        (m) => ({ kind: 'message', type: typeByName(m[2]) }));
    mark(/\$util\.base64\.decode\(object\.(\w+)(?:\[i\])?,/g, () => ({ kind: 'bytes' }));
    mark(/\$util\.Long\.fromValue\(object\.(\w+)(?:\[i\])?\)/g, () => ({ kind: 'int64' }));
    mark(/switch \(object\.(\w+)(?:\[i\])?\)/g, () => ({ kind: 'enum' }));
    mark(/= String\(object\.(\w+)(?:\[i\])?\)/g, () => ({ kind: 'string' }));
    mark(/= Boolean\(object\.(\w+)(?:\[i\])?\)/g, () => ({ kind: 'bool' }));
    mark(/= Number\(object\.(\w+)(?:\[i\])?\)/g, () => ({ kind: 'double' }));
    mark(/= object\.(\w+)(?:\[i\])? (?:>>> 0|\| 0)/g, () => ({ kind: 'int32' }));
    const schema = { name: Type.name, fields };
    schemas.set(Type, schema);
    return schema;
}

class CheckError extends Error {}

function fail(path, problem) {
    throw new CheckError(`${path || '(the request)'}: ${problem}`);
}

const ID_LENGTHS = { traceId: 16, spanId: 8, parentSpanId: 8 };  // bytes

// Checks one value of field `field` (at `path`) and returns it in the form fromObject wants.
function convertValue(value, field, name, path) {
    switch (field.kind) {
    case 'message':
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
            fail(path, `expected an object (a ${field.type.name} message)`);
        }
        return convertMessage(value, field.type, path);
    case 'bytes': {
        if (typeof value !== 'string') {
            fail(path, 'expected a string');
        }
        if (!(name in ID_LENGTHS)) {
            return value;  // any other bytes field: base64, as protobuf's JSON mapping has it
        }
        // OTLP/JSON: ids are hex, not base64. Empty means "none" (a root span's parent).
        const digits = ID_LENGTHS[name] * 2;
        if (value !== '' && !new RegExp(`^[0-9a-f]{${digits}}$`).test(value)) {
            fail(path, `expected ${digits} lower-case hex digits (OTLP/JSON writes ids in hex, ` +
                `not base64), got ${JSON.stringify(value)}`);
        }
        if (value === '' && name !== 'parentSpanId') {
            fail(path, 'must not be empty');
        }
        return Buffer.from(value, 'hex');
    }
    case 'int64':
        // JSON numbers lose precision past 2^53, so OTLP/JSON writes 64-bit integers as strings.
        if (typeof value !== 'string' || !/^-?[0-9]+$/.test(value)) {
            fail(path, `expected a 64-bit integer as a decimal string, got ${JSON.stringify(value)}`);
        }
        return value;
    case 'enum':
        if (!Number.isInteger(value)) {
            fail(path, `expected an enum as its number (OTLP/JSON), got ${JSON.stringify(value)}`);
        }
        return value;
    case 'int32':
        if (!Number.isInteger(value)) {
            fail(path, `expected an integer number, got ${JSON.stringify(value)}`);
        }
        return value;
    case 'string':
        if (typeof value !== 'string') {
            fail(path, `expected a string, got ${JSON.stringify(value)}`);
        }
        return value;
    case 'bool':
        if (typeof value !== 'boolean') {
            fail(path, `expected true or false, got ${JSON.stringify(value)}`);
        }
        return value;
    case 'double':
        if (typeof value !== 'number' && !['NaN', 'Infinity', '-Infinity'].includes(value)) {
            fail(path, `expected a number, got ${JSON.stringify(value)}`);
        }
        return value;
    default:
        fail(path, `the checker does not know this field's type (${field.kind})`);
    }
}

// Walks `object` as a message of type `Type`: every field must be one of the type's.
function convertMessage(object, Type, path) {
    const schema = schemaOf(Type);
    const converted = {};
    for (const [name, value] of Object.entries(object)) {
        const here = path ? `${path}.${name}` : name;
        const field = schema.fields.get(name);
        if (!field) {
            fail(here, `unknown field: ${schema.name} has ${[...schema.fields.keys()].join(', ')}`);
        }
        if (field.repeated) {
            if (!Array.isArray(value)) {
                fail(here, 'expected an array (a repeated field)');
            }
            converted[name] = value.map((item, i) => convertValue(item, field, name, `${here}[${i}]`));
        } else {
            converted[name] = convertValue(value, field, name, here);
        }
    }
    return converted;
}

function spansOf(request) {
    return (request.resourceSpans ?? []).flatMap((r) => (r.scopeSpans ?? []).flatMap((s) => s.spans ?? []));
}

const hex = (bytes) => Buffer.from(bytes ?? []).toString('hex');

// Steps 2 and 3 for one parsed body; throws CheckError on the first problem.
function check(body) {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        fail('', 'expected a JSON object (an ExportTraceServiceRequest)');
    }
    const plain = convertMessage(body, Request, '');
    const message = Request.fromObject(plain);
    const problem = Request.verify(message);
    if (problem) {
        fail('', `protobufjs verify(): ${problem}`);
    }
    const decoded = Request.decode(Request.encode(message).finish());

    const before = spansOf(body);
    const after = spansOf(decoded);
    if (before.length !== after.length) {
        fail('', `${before.length} span(s) sent, ${after.length} after a protobuf round trip`);
    }
    before.forEach((span, i) => {
        const again = after[i];
        const compare = (field, was, is) => {
            if (String(was) !== String(is)) {
                fail(`span ${i} (${span.name}).${field}`,
                    `${JSON.stringify(was)} became ${JSON.stringify(String(is))} in a protobuf round trip`);
            }
        };
        compare('name', span.name, again.name);
        compare('traceId', span.traceId, hex(again.traceId));
        compare('spanId', span.spanId, hex(again.spanId));
        compare('parentSpanId', span.parentSpanId ?? '', hex(again.parentSpanId));
        compare('startTimeUnixNano', span.startTimeUnixNano, again.startTimeUnixNano);
        compare('endTimeUnixNano', span.endTimeUnixNano, again.endTimeUnixNano);
    });
    return before.length;
}

const files = process.argv.slice(2);
if (files.length === 0) {
    console.error('usage: node check.mjs FILE...  (each FILE one OTLP/JSON ExportTraceServiceRequest)');
    process.exit(2);
}
let failed = false;
for (const file of files) {
    try {
        const spans = check(JSON.parse(readFileSync(file, 'utf8')));
        console.log(`${file}: ok, ${spans} span(s)`);
    } catch (error) {
        failed = true;
        const what = error instanceof CheckError || error instanceof SyntaxError ? error.message : error.stack;
        console.error(`${file}: not a valid OTLP/JSON ExportTraceServiceRequest: ${what}`);
    }
}
process.exit(failed ? 1 : 0);
