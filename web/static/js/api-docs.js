// The API reference page (/api/docs): Swagger UI reading the server's own document.
/* global SwaggerUIBundle */
SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#api-reference",
  deepLinking: true,
  // Never ask a third-party validator about our document.
  validatorUrl: null,
});
