#pragma once
// The browser-facing security headers: a strict Content-Security-Policy for the dashboard's
// pages (its own scripts, styles and API only, never framed), a policy for inline pages that
// allows exactly their own inline blocks (by SHA-256), and the defaults every response gets
// (no framing, no referrer, no active content, and HSTS when served over TLS).
#include <string>

#include "server/router.h"

namespace corrente::server {

// The dashboard's built pages (web/dist): scripts, styles, fonts and fetches from this origin
// only, images also as data: URLs (the icon), no plugins, no <base>, never framed.
extern const char* const kPageCsp;
// Every other response (JSON, CSV, errors, assets): nothing may load or run, never framed.
extern const char* const kDefaultCsp;

// Adds kPageCsp, Permissions-Policy (no camera, microphone, geolocation, payment, ...) and
// Cross-Origin-Opener-Policy to an HTML page of the dashboard.
void AddPageHeaders(Response& res);

// A CSP for a page built in the server (the API docs page) that allows its own inline
// <script> and <style> blocks by their SHA-256 hashes and nothing inline besides; fetches
// from this origin only, never framed.
std::string InlinePageCsp(const std::string& html);

// Every response, after the route's own headers: X-Frame-Options: DENY and
// Referrer-Policy: no-referrer, kDefaultCsp when the route set no CSP, and
// Strict-Transport-Security when `tls` (one year, this host only).
void AddSecurityHeaders(Response& res, bool tls);

}  // namespace corrente::server
