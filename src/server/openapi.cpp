// The OpenAPI 3.1 document, generated from the same route table the router uses, so every
// route is documented; the docs page; and helpers shared by the resource files.
#include <boost/json.hpp>

#include "server/handlers.h"
#include "server/schemas.h"

namespace corrente::server {

ParamDoc LimitDoc() {
  return {"limit",
          "query",
          "integer",
          {},
          "page size, 1..1000 (default 100); with CSV up to 10,000,000 on lists that stream "
          "(above 1000 the rows come from a cursor, chunked, not cached, no ETag)"};
}
ParamDoc OffsetDoc() { return {"offset", "query", "integer", {}, "rows to skip (default 0)"}; }
ParamDoc FormatDoc() {
  return {"format",
          "query",
          "string",
          {"json", "csv"},
          "csv streams the rows as CSV (also Accept: text/csv)"};
}
ParamDoc IdDoc(const std::string& name) {
  return {name, "path", "integer", {}, "identifier", true};
}

void InTransaction(Ctx& ctx, const std::function<void()>& fn) {
  pg::Transaction tx(ctx.db.Conn());
  fn();
  tx.Commit();
}

namespace {

namespace json = boost::json;

json::object Schema(const ParamDoc& d) {
  json::object s;
  if (d.type == "date") {
    s["type"] = "string";
    s["format"] = "date";
  } else {
    s["type"] = d.type;
  }
  if (!d.values.empty()) {
    json::array e;
    for (const auto& v : d.values) e.emplace_back(v);
    s["enum"] = e;
  }
  if (d.name == "limit") {
    s["minimum"] = 1;
    s["maximum"] = kMaxCsvRows;  // JSON pages stop at kMaxPageRows (see the description)
    s["default"] = 100;
  }
  if (d.name == "offset") s["minimum"] = 0;
  return s;
}

json::object ErrorRef(const char* description) {
  return {
      {"description", description},
      {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

void AddOpen(json::object& paths, const char* path, const char* tag, const char* summary,
             const char* type) {
  json::object op{
      {"tags", json::array{tag}},
      {"summary", summary},
      {"operationId", std::string("get") + path},
      {"security", json::array{}},
      {"responses", {{"200", {{"description", "OK"}, {"content", {{type, json::object{}}}}}}}}};
  paths[path] = json::object{{"get", op}};
}

// The success envelope with its data's schema: a component, or an array of one ("Name[]").
json::object EnvelopeSchema(const std::string& response) {
  json::object data;
  if (response.size() > 2 && response.ends_with("[]"))
    data = {{"type", "array"},
            {"items", {{"$ref", "#/components/schemas/" + response.substr(0, response.size() - 2)}}}};
  else if (!response.empty())
    data = {{"$ref", "#/components/schemas/" + response}};
  return {{"type", "object"},
          {"required", json::array{"status", "data", "metadata"}},
          {"properties",
           {{"status", {{"const", "success"}}}, {"data", data}, {"metadata", {{"type", "object"}}}}}};
}

}  // namespace

std::string OpenApiJson(const std::vector<ApiRoute>& routes, const std::string& version) {
  json::object paths;
  AddOpen(paths, "/health", "meta",
          "Database round-trip and data freshness (503 when degraded); the corrente and "
          "PostgreSQL versions too with a valid bearer token",
          "application/json");
  AddOpen(paths, "/metrics", "meta", "Prometheus metrics", "text/plain");
  AddOpen(paths, "/api/v1/openapi.json", "meta", "This document", "application/json");
  AddOpen(paths, "/api/docs", "meta", "API documentation page", "text/html");
  for (const auto& r : routes) {
    std::string method = r.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string op_id = method;
    for (char c : r.pattern) op_id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    json::object op{{"tags", json::array{r.tag}}, {"summary", r.summary}, {"operationId", op_id}};
    json::array params;
    for (const auto& d : r.params)
      params.push_back(json::object{{"name", d.name},
                                    {"in", d.in},
                                    {"required", d.required || d.in == "path"},
                                    {"description", d.description},
                                    {"schema", Schema(d)}});
    if (!params.empty()) op["parameters"] = params;
    if (!r.body_schema.empty())
      op["requestBody"] = {
          {"required", true},
          {"content", {{"application/json", {{"schema", json::parse(r.body_schema)}}}}}};
    json::object ok{{"description", "OK"},
                    {"content", {{"application/json", {{"schema", EnvelopeSchema(r.response)}}}}}};
    if (r.list)
      ok["content"].as_object()["text/csv"] = json::object{{"schema", {{"type", "string"}}}};
    if (!r.produces.empty())
      ok["content"] = {{r.produces, {{"schema", {{"type", "string"}}}}}};
    else if (r.method == "GET")
      ok["headers"] = {
          {"ETag",
           {{"description", "validator for If-None-Match (304); suffixed -gz for the gzip body"},
            {"schema", {{"type", "string"}}}}},
          {"Content-Encoding",
           {{"description", "gzip when Accept-Encoding allows it and the body is 1 KB or more"},
            {"schema", {{"type", "string"}}}}},
          {"Vary",
           {{"description", "includes Accept-Encoding"}, {"schema", {{"type", "string"}}}}}};
    json::object responses{
        {std::to_string(r.status), ok},
        {"400", ErrorRef("Bad parameter (each one is named)")},
        {"503", ErrorRef("Database unavailable (Retry-After)")}};
    if (r.min_role) {
      responses["401"] = ErrorRef("Missing, invalid, expired or revoked token");
      responses["403"] = ErrorRef(
          std::string("Needs role " + std::string(RoleName(*r.min_role)) + " or above").c_str());
      op["security"] = json::array{json::object{{"bearerAuth", json::array{}}}};
      op["x-min-role"] = RoleName(*r.min_role);
    } else {
      op["security"] = json::array{};
      responses["401"] = ErrorRef("Invalid credentials");
      responses["429"] = ErrorRef("Too many failed logins, or logins too often from one address or for one account (Retry-After)");
    }
    if (r.pattern.find('{') != std::string::npos) responses["404"] = ErrorRef("Not found");
    if (r.method == "GET" && r.produces.empty())
      responses["304"] = json::object{{"description", "Not modified (If-None-Match)"}};
    if (r.method != "GET") responses["409"] = ErrorRef("Conflict");
    op["responses"] = responses;
    auto& item = paths[r.pattern];
    if (!item.is_object()) item = json::object{};
    item.as_object()[method] = op;
  }
  json::object schemas = ResponseComponents();
  schemas["Error"] = {{"type", "object"},
                      {"required", json::array{"status", "error", "detail"}},
                      {"properties",
                       {{"status", {{"const", "error"}}},
                        {"error", {{"type", "string"}}},
                        {"detail", {{"type", "string"}}}}}};
  json::object doc{
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "Corrente API"},
        {"version", version},
        {"description",
         "Inventory forecasting and replenishment analytics. Success bodies are "
         "{status:'success',data,metadata}; errors are {status:'error',error,detail}."}}},
      {"servers", json::array{json::object{{"url", "/"}}}},
      {"paths", paths},
      {"components",
       {{"securitySchemes",
         {{"bearerAuth", {{"type", "http"}, {"scheme", "bearer"}, {"bearerFormat", "JWT"}}}}},
        {"schemas", std::move(schemas)}}}};
  return json::serialize(doc);
}

std::string DocsHtml() {
  return R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Corrente API</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#222}
h1{font-size:1.5rem} .op{border:1px solid #ddd;border-radius:6px;margin:.6rem 0;padding:.6rem .9rem}
.m{display:inline-block;min-width:4.2rem;font-weight:600;font-family:monospace}
.get{color:#0a6} .post{color:#06c} .patch{color:#b60} .path{font-family:monospace}
table{border-collapse:collapse;margin-top:.4rem} td,th{border-bottom:1px solid #eee;padding:2px 8px;text-align:left}
.role{float:right;color:#666;font-size:12px}
</style></head><body>
<h1>Corrente API</h1>
<p>Machine-readable spec: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
Authenticate with <code>POST /api/v1/auth/login</code> and send <code>Authorization: Bearer &lt;token&gt;</code>.</p>
<div id="ops">Loading…</div>
<script>
function el(t,c,x){const e=document.createElement(t);if(c)e.className=c;if(x!==undefined)e.textContent=x;return e}
fetch('/api/v1/openapi.json').then(r=>r.json()).then(doc=>{
  const root=document.getElementById('ops');root.textContent='';
  document.title=doc.info.title+' '+doc.info.version;
  for(const [path,item] of Object.entries(doc.paths)){
    for(const [method,op] of Object.entries(item)){
      const d=el('div','op');
      d.appendChild(el('span','m '+method,method.toUpperCase()));
      d.appendChild(el('span','path',path));
      if(op['x-min-role'])d.appendChild(el('span','role','role ≥ '+op['x-min-role']));
      d.appendChild(el('div','',op.summary||''));
      if(op.parameters&&op.parameters.length){
        const t=el('table');const h=el('tr');['name','in','type','description'].forEach(x=>h.appendChild(el('th','',x)));t.appendChild(h);
        for(const p of op.parameters){const r=el('tr');
          const ty=(p.schema.enum?p.schema.enum.join(' | '):(p.schema.format||p.schema.type));
          [p.name+(p.required?' *':''),p.in,ty,p.description||''].forEach(x=>r.appendChild(el('td','',x)));t.appendChild(r)}
        d.appendChild(t)}
      root.appendChild(d)}}
}).catch(e=>{document.getElementById('ops').textContent='Could not load the spec: '+e});
</script></body></html>
)HTML";
}

}  // namespace corrente::server
