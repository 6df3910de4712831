/**
 * The error page body (not found, refused, bad request).
 * @module
 */
import { html } from 'hono/html';
import { icon, type Html } from './parts.ts';

/** The body of an error page. */
export function errorPage(title: string, message: string): Html {
  return html`<div class="error-page">
  <h1>${icon('warning')} ${title}</h1>
  <p>${message}</p>
  <p><a class="button" href="/">Back to the issues</a></p>
</div>`;
}
