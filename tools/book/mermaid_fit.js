// Served with the site after mermaid.min.js (mkdocs.yml's extra_javascript; tools/book/hooks.py
// copies it). Mermaid 8 draws a diagram that is wider than the column at the column's width
// but keeps its full height, which leaves blank bands above and below it. Without the height
// attribute, the browser takes the height from the viewBox, in proportion. (Material calls
// mermaid.mermaidAPI.render; that object is frozen, so this puts a copy in its place.)
(function () {
  const api = mermaid.mermaidAPI;
  const fit = (svg) => svg.replace(/^(<svg[^>]*?width="100%"[^>]*?)\sheight="[^"]*"/, "$1");
  mermaid.mermaidAPI = Object.assign({}, api, {
    render(id, text, callback, ...rest) {
      return api.render(id, text, callback && ((svg, ...more) => callback(fit(svg), ...more)), ...rest);
    },
  });
})();
