// The security headers and the Content-Security-Policy, as the browser enforces them.
import http from 'node:http';
import { expect, test } from '../fixtures.mjs';

// A strict CSP on the dashboard's HTML (the entry and a client-side route), never framed; the
// API's answers allow no content at all.
test('security headers on the dashboard pages and the API', async ({ env }) => {
  for (const p of ['/', '/dashboard', '/login']) {
    const r = await fetch(`${env.base}${p}`);
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(r.ok && (r.headers.get('content-type') ?? '').startsWith('text/html'), `${p}: ${r.status}`).toBe(true);
    for (const d of ["script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "default-src 'self'", "style-src 'self'", "base-uri 'none'"])
      expect(csp.split(';').map((x) => x.trim()), `${p}: CSP ${csp}`).toContain(d);
    expect(csp, `${p}: CSP allows too much`).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(r.headers.get('x-frame-options'), p).toBe('DENY');
    expect(r.headers.get('referrer-policy'), p).toBe('no-referrer');
    expect(r.headers.get('permissions-policy') ?? '', p).toMatch(/camera=\(\)/);
    const html = await r.text();
    expect(/<script(?![^>]*\ssrc=)[^>]*>/i.test(html) || /\sstyle=|\son[a-z]+=/i.test(html), `${p}: inline script, style or handler in the HTML`).toBe(false);
  }
  const api = await fetch(`${env.base}/api/v1/items`);
  expect(api.status, '/api/v1/items without a token').toBe(401);
  expect(api.headers.get('content-security-policy') ?? '').toMatch(/^default-src 'none'/);
  expect(api.headers.get('x-frame-options')).toBe('DENY');
});

test.describe('the CSP is enforced', () => {
  test.use({ cspViolationExpected: true }); // this test provokes violations on purpose

  // An injected inline script does not run and is reported; a page of another origin cannot frame the dashboard.
  test('CSP: an injected inline script is refused; the dashboard is not framed', async ({ page, env }) => {
    const seen = [];
    page.on('console', (m) => seen.push(m.text()));
    await page.goto('/login');
    await page.getByLabel('Username').waitFor();
    const ran = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = 1';
      document.body.appendChild(s);
      return window.__injected === 1;
    });
    await page.waitForTimeout(200);
    expect(ran, 'an inline script ran under the CSP').toBe(false);
    expect(seen.some((t) => /securitypolicyviolation: script-src-elem blocked inline/.test(t)), `violation not reported: ${seen.join(' | ')}`).toBe(true);
    // Another port on this loopback is another origin (chromium refuses a public page's frames
    // to a local address anyway): the frame gets an error page.
    const framer = http.createServer((q, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end(`<iframe src="${env.base}/login" width="400" height="300"></iframe>`);
    });
    await new Promise((r) => framer.listen(0, '127.0.0.1', r));
    try {
      await page.goto(`http://127.0.0.1:${framer.address().port}/`);
      await expect.poll(() => seen.some((t) => /Framing .* violates .*frame-ancestors 'none'/.test(t)), { message: `no frame-ancestors refusal: ${seen.join(' | ')}` }).toBe(true);
      const frame = page.frames().find((f) => f !== page.mainFrame());
      expect(frame, 'no frame on the framing page').toBeTruthy();
      const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      expect(!/Username|Sign in/.test(text) && frame.url().startsWith('chrome-error:'), `the frame shows ${frame.url()}: ${text.slice(0, 60)}`).toBe(true);
    } finally {
      framer.close();
    }
  });
});
