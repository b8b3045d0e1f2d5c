// Swagger UI over the server's own OpenAPI document (no CDN: the web build copies
// swagger-ui-dist here). Try-it-out is on, and a dashboard sign-in is reused: its bearer token
// (localStorage, same origin) pre-authorizes every call once the document has loaded.
(function () {
  var note = document.getElementById('corrente-auth');
  var token = null, exp = 0;
  try {
    token = localStorage.getItem('corrente.token');
    exp = Number(localStorage.getItem('corrente.token_exp') || 0);
  } catch (e) {
    /* storage unavailable: Authorize by hand */
  }
  window.ui = window.SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    tryItOutEnabled: true,
    defaultModelsExpandDepth: 0,
    docExpansion: 'list',
    onComplete: function () {
      if (!token || exp <= Date.now()) return;
      window.ui.preauthorizeApiKey('bearerAuth', token);
      note.textContent = 'Signed in: calls use your dashboard session\u2019s token until ' +
        new Date(exp).toLocaleTimeString() + '.';
    },
  });
})();
