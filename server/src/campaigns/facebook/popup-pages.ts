/**
 * The popup's HTML: small, plain, readable pages with no inline script (the CSP forbids it). The
 * last page carries the result in data attributes; /facebook/popup.js posts it to the console.
 */
export type ActivationOutcome = 'connected' | 'declined' | 'cancelled' | 'no-pages' | 'failed';

/** What the popup posts to `window.opener` (docs/facebook.md#the-popup). */
export interface FacebookActivationMessage {
  type: 'parley:facebook-activation';
  campaignId: string;
  outcome: ActivationOutcome;
  message: string;
  pageName?: string;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1d1d1f}
h1{font-size:1.3rem}fieldset{border:1px solid #ccc;border-radius:6px;padding:.5rem 1rem}label{display:block;padding:.3rem 0}
button{font-size:1rem;padding:.4rem 1rem;margin-top:1rem}.failed,.declined,.no-pages,.cancelled{color:#a1260d}`;

function page(title: string, body: string, script = false): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Parley</title><style>${STYLE}</style></head>
<body>${body}${script ? '<script src="/facebook/popup.js"></script>' : ''}</body></html>`;
}

const TITLES: Record<ActivationOutcome, string> = {
  connected: 'Page connected',
  declined: 'Permission declined',
  cancelled: 'Activation cancelled',
  'no-pages': 'No page to connect',
  failed: 'Activation failed',
};

/** The last page: the words for the person, a Close button, and the message for the console. */
export function resultPage(message: FacebookActivationMessage, openerOrigin: string): string {
  const data = [
    ['campaign-id', message.campaignId],
    ['outcome', message.outcome],
    ['message', message.message],
    ['origin', openerOrigin],
    ...(message.pageName ? [['page-name', message.pageName]] : []),
  ]
    .map(([name, value]) => ` data-${name}="${escapeHtml(value)}"`)
    .join('');
  return page(
    TITLES[message.outcome],
    `<main id="result" class="${message.outcome}"${data}>
<h1>${escapeHtml(TITLES[message.outcome])}</h1>
<p id="message">${escapeHtml(message.message)}</p>
<button type="button" id="close">Close</button>
</main>`,
    true,
  );
}

/** The page choice: one radio button per page, labelled by its name, posting to /facebook/callback/pages. */
export function pageChoicePage(
  pickId: string,
  campaignId: string,
  pages: readonly { id: string; name: string }[],
): string {
  const options = pages
    .map(
      (p, i) =>
        `<label><input type="radio" name="pageId" value="${escapeHtml(p.id)}"${i === 0 ? ' checked' : ''} required> ${escapeHtml(p.name)}</label>`,
    )
    .join('\n');
  return page(
    'Choose a page',
    `<main>
<h1>Which page should this campaign answer?</h1>
<form method="post" action="/facebook/callback/pages">
<input type="hidden" name="pick" value="${escapeHtml(pickId)}">
<input type="hidden" name="campaignId" value="${escapeHtml(campaignId)}">
<fieldset><legend>Your pages</legend>
${options}
</fieldset>
<button type="submit">Connect page</button>
</form>
</main>`,
  );
}

/** Served as /facebook/popup.js: tells the opener the result, and closes the popup on Close. */
export const POPUP_SCRIPT = `'use strict';
(function () {
  var el = document.getElementById('result');
  if (!el) return;
  var d = el.dataset;
  var message = { type: 'parley:facebook-activation', campaignId: d.campaignId || '', outcome: d.outcome, message: d.message };
  if (d.pageName) message.pageName = d.pageName;
  if (window.opener && !window.opener.closed) {
    try { window.opener.postMessage(message, d.origin); } catch (e) { /* the console moved elsewhere */ }
  }
  var close = document.getElementById('close');
  if (close) close.addEventListener('click', function () { window.close(); });
})();
`;
