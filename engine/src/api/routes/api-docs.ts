import { dirname } from 'node:path';
import express, { Router } from 'express';
import { openApiDocument } from '../openapi/document';

/** The page around swagger-ui: local files only (no CDN), pointed at this server's document. */
const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Baton API reference</title>
  <link rel="stylesheet" href="./swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="./swagger-ui-bundle.js"></script>
  <script src="./baton-init.js"></script>
</body>
</html>
`;

const init = `window.ui = SwaggerUIBundle({ url: '/api-docs', dom_id: '#swagger-ui', deepLinking: true, tryItOutEnabled: false });\n`;

/**
 * Baton's OpenAPI 3.1 document at `/api-docs` (Conductor's path), generated at start-up from the
 * same schemas that validate requests (openapi/document.ts), and a browsable reference at
 * `/swagger-ui/` (Conductor's path too) made of the swagger-ui-dist package's prebuilt files.
 */
export function apiDocsRoutes(): Router {
  const r = Router();
  const doc = JSON.stringify(openApiDocument());
  r.get('/api-docs', (_req, res) => {
    res.type('application/json').send(doc);
  });
  // Routing ignores a trailing slash; the page's relative asset paths need it.
  r.get(['/swagger-ui', '/swagger-ui/index.html', '/docs'], (req, res) => {
    if (req.path === '/swagger-ui/' || req.path === '/swagger-ui/index.html') res.type('text/html').send(page);
    else res.redirect(302, '/swagger-ui/');
  });
  r.get('/swagger-ui/baton-init.js', (_req, res) => {
    res.type('application/javascript').send(init);
  });
  r.use('/swagger-ui', express.static(dirname(require.resolve('swagger-ui-dist/package.json')), { index: false, fallthrough: false }));
  return r;
}
