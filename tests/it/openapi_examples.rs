//! The API can be used without reading the code (issue 17): every request body and every JSON
//! answer in `/api/openapi.json` has an example that fits its schema, every request example is
//! accepted by the real service, and the routes outside `/api` (health checks, browser login)
//! are documented.

use reqwest::Method;
use serde_json::{Value, json};
use vigil::auth::Role;

use crate::orders::{dapo, id, obligations, of_kind, spo};
use crate::support::{TestApp, registrant_body};

async fn spec(app: &TestApp) -> Value {
    app.client.get(format!("{}/api/openapi.json", app.base)).send().await.unwrap().json().await.unwrap()
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(name) => resolve(spec, &spec["components"]["schemas"][name.trim_start_matches("#/components/schemas/")]),
        None => schema,
    }
}

/// The example a media type shows: its own, else its schema's, else (for a list) its items'.
fn example(spec: &Value, media: &Value) -> Option<Value> {
    if let Some(own) = media.get("example") {
        return Some(own.clone());
    }
    if let Some(named) = media["examples"].as_object().and_then(|m| m.values().next()) {
        return Some(named["value"].clone());
    }
    let schema = resolve(spec, &media["schema"]);
    let of = |s: &Value| s["examples"].get(0).or(s.get("example")).cloned();
    of(schema).or_else(|| (schema["type"] == "array").then(|| of(resolve(spec, &schema["items"])).map(|e| json!([e])))?)
}

/// Whether `value` fits `schema`: types, enums, formats, required and unknown properties. Enough
/// of JSON Schema to catch an example that has drifted from its type.
fn conforms(spec: &Value, schema: &Value, value: &Value, at: &str, wrong: &mut Vec<String>) {
    let schema = resolve(spec, schema);
    if let Some(parts) = schema["allOf"].as_array() {
        // One object made of several: their properties together.
        let (mut properties, mut required) = (serde_json::Map::new(), Vec::new());
        for part in parts.iter().map(|p| resolve(spec, p)) {
            properties.extend(part["properties"].as_object().cloned().unwrap_or_default());
            required.extend(part["required"].as_array().cloned().unwrap_or_default());
        }
        let merged = json!({ "type": "object", "properties": properties, "required": required });
        return conforms(spec, &merged, value, at, wrong);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = schema[key].as_array() {
            let fits = |b: &Value| {
                let mut w = Vec::new();
                conforms(spec, b, value, at, &mut w);
                w.is_empty()
            };
            if !branches.iter().any(fits) {
                wrong.push(format!("{at}: fits no branch of {key}: {value}"));
            }
            return;
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let documented = types.is_empty() || types.contains(&kind) || (kind == "integer" && types.contains(&"number"));
    if !documented {
        wrong.push(format!("{at}: a {kind}, documented as {types:?}"));
        return;
    }
    if let Some(allowed) = schema["enum"].as_array().filter(|_| !value.is_null())
        && !allowed.contains(value)
    {
        wrong.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let (Some(text), Some(format)) = (value.as_str(), schema["format"].as_str()) {
        let fits = match format {
            "date" => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
            "date-time" => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
            "uuid" => uuid::Uuid::parse_str(text).is_ok(),
            _ => true,
        };
        if !fits {
            wrong.push(format!("{at}: {text:?} is not a {format}"));
        }
    }
    if let Some(items) = value.as_array() {
        for (i, item) in items.iter().enumerate() {
            conforms(spec, &schema["items"], item, &format!("{at}[{i}]"), wrong);
        }
    }
    if let (Some(object), Some(properties)) = (value.as_object(), schema["properties"].as_object()) {
        for required in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            if !object.contains_key(required) {
                wrong.push(format!("{at}.{required}: required, missing"));
            }
        }
        for (key, field) in object {
            match properties.get(key) {
                Some(property) => conforms(spec, property, field, &format!("{at}.{key}"), wrong),
                None => wrong.push(format!("{at}.{key}: not a documented property")),
            }
        }
    }
}

#[tokio::test]
async fn every_body_and_json_answer_has_an_example_that_fits_its_schema() {
    let app = TestApp::spawn().await;
    let spec = spec(&app).await;
    let (mut missing, mut wrong) = (Vec::new(), Vec::new());
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let name = format!("{} {path}", method.to_uppercase());
            let bodies = operation["requestBody"]["content"].as_object().into_iter().flatten().map(|(t, m)| (format!("request {t}"), m));
            let answers = operation["responses"].as_object().into_iter().flatten().filter(|(status, _)| status.starts_with('2')).flat_map(
                |(status, r)| {
                    r["content"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .filter(|(t, _)| t.contains("json"))
                        .map(move |(t, m)| (format!("{status} {t}"), m))
                },
            );
            for (what, media) in bodies.chain(answers) {
                match example(&spec, media) {
                    Some(e) => conforms(&spec, &media["schema"], &e, &format!("{name} {what}"), &mut wrong),
                    None => missing.push(format!("{name} {what}")),
                }
            }
        }
    }
    assert!(missing.is_empty(), "without an example:\n{}", missing.join("\n"));
    assert!(wrong.is_empty(), "examples that do not fit their schema:\n{}", wrong.join("\n"));
}

#[tokio::test]
async fn health_checks_and_browser_login_are_documented() {
    let app = TestApp::spawn().await;
    let spec = spec(&app).await;
    let no_token = json!([{}]);
    for (method, path, security) in [
        ("get", "/health/live", Some(&no_token)),
        ("get", "/health/ready", Some(&no_token)),
        ("get", "/auth/login", Some(&no_token)),
        ("get", "/auth/callback", Some(&no_token)),
        ("get", "/auth/session", None),
        ("post", "/auth/logout", None),
        ("post", "/auth/backchannel-logout", Some(&no_token)),
    ] {
        let operation = &spec["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is not documented");
        if let Some(security) = security {
            assert_eq!(&operation["security"], security, "{method} {path} needs no bearer token");
        } else {
            assert_eq!(operation["security"], json!([{ "session": [] }]), "{method} {path} takes the session cookie");
        }
    }
    assert!(spec["paths"]["/auth/login"]["get"]["responses"]["303"].is_object());
    assert!(spec["paths"]["/auth/callback"]["get"]["responses"]["303"].is_object());
    let form = &spec["paths"]["/auth/backchannel-logout"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"];
    assert_eq!(resolve(&spec, &form["schema"])["required"], json!(["logout_token"]));
    // Documented, and still answered without a token, outside the policy layer.
    assert_eq!(app.request(Method::GET, "/health/ready", None, None).await.status(), 200);
    assert_eq!(app.request(Method::GET, "/auth/login", None, None).await.status(), 404, "no browser login configured here");
}

/// One call of an example: who sends it, where, and what the service should answer.
struct Call {
    token: String,
    path: String,
    body: Value,
    expect: u16,
}

#[tokio::test]
async fn every_request_body_example_is_accepted_by_the_service() {
    let app = TestApp::spawn().await;
    let spec = spec(&app).await;
    let mut refused = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap().iter().filter(|_| path.starts_with("/api/")) {
            let Some(media) = operation["requestBody"]["content"].get("application/json") else { continue };
            let body = example(&spec, media).unwrap_or_else(|| panic!("{method} {path} has no example"));
            let documented = operation["responses"].as_object().unwrap().keys().find(|s| s.starts_with('2')).unwrap().parse().unwrap();
            let call = prepare(&app, &spec, method, path, body, documented).await;
            let response = app
                .client
                .request(Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(), format!("{}{}", app.base, call.path))
                .bearer_auth(&call.token)
                .header("vigil-reason-code", "INVESTIGATION")
                .header("vigil-crime-reference", "EXAMPLE/2026/1")
                .json(&call.body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            if status != call.expect {
                refused.push(format!("{method} {path}: {status}, wanted {}: {}", call.expect, text));
            }
        }
    }
    assert!(refused.is_empty(), "examples the service does not accept:\n{}", refused.join("\n"));
}

/// Makes what an example's path (and, where the body names one, its body) refers to, fresh for
/// each operation so that no example depends on another having run.
async fn prepare(app: &TestApp, spec: &Value, method: &str, path: &str, mut body: Value, documented: u16) -> Call {
    let supervisor = app.token(Role::Supervisor, "met");
    let probation = app.token_for("po-1", Role::Probation, "probation-london");
    let (token, concrete, expect) = match (method, path) {
        ("post", "/api/v1/registrants" | "/api/v1/reports") => (supervisor, path.to_owned(), 201),
        ("post", "/api/v1/registrants/search") => (supervisor, path.to_owned(), 200),
        ("patch", "/api/v1/registrants/{id}")
        | ("post", "/api/v1/registrants/{id}/names" | "/api/v1/registrants/{id}/addresses" | "/api/v1/registrants/{id}/identifiers")
        | ("post", "/api/v1/registrants/{id}/orders" | "/api/v1/registrants/{id}/breaches" | "/api/v1/registrants/{id}/suspensions") => {
            let registrant = fixture_registrant(app).await;
            (supervisor, path.replace("{id}", id(&registrant)), documented)
        }
        ("post", "/api/v1/registrants/{id}/addresses/{address_id}/end" | "/api/v1/registrants/{id}/addresses/{address_id}/correction") => {
            let registrant = fixture_registrant(app).await;
            let address = registrant["addresses"][0]["id"].as_str().unwrap();
            (supervisor, path.replace("{id}", id(&registrant)).replace("{address_id}", address), documented)
        }
        ("post", "/api/v1/registrants/{id}/notifications" | "/api/v1/registrants/{id}/travel") => {
            let (registrant, _) = with_order(app, spo("2026-01-12", Some("2026-01-12"))).await;
            (supervisor, path.replace("{id}", id(&registrant)), documented)
        }
        ("post", "/api/v1/orders/{id}/service") => {
            let (_, order) = with_order(app, spo("2026-01-12", None)).await;
            (supervisor, path.replace("{id}", id(&order)), documented)
        }
        ("post", "/api/v1/orders/{id}/status" | "/api/v1/orders/{id}/variations") => {
            let (_, order) = with_order(app, dapo("2026-03-02", "2026-03-03")).await;
            (supervisor, path.replace("{id}", id(&order)), documented)
        }
        ("post", "/api/v1/occurrences/{id}/compliance" | "/api/v1/occurrences/{id}/correction" | "/api/v1/occurrences/{id}/excusal") => {
            let session = held_session(app, path.ends_with("/correction")).await;
            let token = if path.ends_with("/excusal") { supervisor } else { probation };
            (token, path.replace("{id}", id(&session)), documented)
        }
        ("post", "/api/v1/breaches/{id}/decisions" | "/api/v1/breaches/{id}/acknowledgement") => {
            let registrant = fixture_registrant(app).await;
            let breach = json!({ "summary": "Synthetic breach." });
            let (status, breach) = app.post(&format!("/api/v1/registrants/{}/breaches", id(&registrant)), &supervisor, &breach).await;
            assert_eq!(status, 201, "{breach}");
            (supervisor, path.replace("{id}", id(&breach)), documented)
        }
        ("post", "/api/v1/suspensions/{id}/end") => {
            let registrant = fixture_registrant(app).await;
            let open = json!({ "kind": "custody", "starts_at": "2026-02-02T09:00:00Z" });
            let (status, suspension) = app.post(&format!("/api/v1/registrants/{}/suspensions", id(&registrant)), &supervisor, &open).await;
            assert_eq!(status, 201, "{suspension}");
            (supervisor, path.replace("{id}", id(&suspension)), documented)
        }
        ("post", "/api/v1/approvals" | "/api/v1/approvals/{id}/decision") => {
            let (_, order) = with_order(app, spo("2026-01-12", Some("2026-01-12"))).await;
            let asker = app.token_for("sergeant-1", Role::Supervisor, "met");
            if path == "/api/v1/approvals" {
                // The example names an order; it must be one that exists.
                body["target_id"] = order["id"].clone();
                (asker, path.to_owned(), documented)
            } else {
                let request = json!({ "action": "order.discharge", "target_id": order["id"], "version": 1, "reason": "Synthetic." });
                let (status, asked) = app.post("/api/v1/approvals", &asker, &request).await;
                assert_eq!(status, 201, "{asked}");
                (app.token_for("inspector-2", Role::Supervisor, "met"), path.replace("{id}", id(&asked)), documented)
            }
        }
        ("post", "/api/v1/duplicates/{id}/decision") => {
            for (given, phone) in [("Robert", "07700 900456"), ("Bob", "07700 900458")] {
                let person = json!({ "names": [{ "kind": "primary", "given": given, "family": "Hartley" }], "birth_dates": ["1980-03-04"],
                    "identifiers": [{ "kind": "phone", "value": phone }] });
                app.registrant("met", person).await;
            }
            let (_, queue) = app.get("/api/v1/duplicates", &supervisor).await;
            (supervisor, path.replace("{id}", id(&queue[0])), documented)
        }
        ("post", "/api/v1/links/{id}/decision") => {
            let link = proposed_link(app, &spec["components"]["schemas"]["NewReportInput"]["examples"][0]).await;
            (supervisor, path.replace("{id}", id(&link)), documented)
        }
        // The example names an alert, which only the scheduled jobs raise: 404 (no such alert of
        // yours) shows that the body itself was accepted.
        ("post", "/api/v1/alerts/acknowledgements") => (supervisor, path.to_owned(), 404),
        ("post", "/api/v1/sessions/revocations") => (app.token(Role::Admin, "met"), path.to_owned(), 200),
        _ => panic!("{method} {path}: no preparation for its example; add one here"),
    };
    Call { token, path: concrete, body, expect }
}

/// A registrant for an example to act on, unlike the people the examples describe (so that the
/// register check of the report example finds one candidate, not a crowd).
async fn fixture_registrant(app: &TestApp) -> Value {
    let mut body = registrant_body("Fixture");
    body["birth_dates"] = json!(["1979-06-15"]);
    body["identifiers"] = json!([{ "kind": "phone", "value": "07700 900789" }]);
    app.registrant("met", body).await
}

/// A fixture registrant with `order` on them.
async fn with_order(app: &TestApp, order: Value) -> (Value, Value) {
    let registrant = fixture_registrant(app).await;
    let (status, order) = app.post(&format!("/api/v1/registrants/{}/orders", id(&registrant)), &app.token(Role::Ppo, "met"), &order).await;
    assert_eq!(status, 201, "{order}");
    (registrant, order)
}

/// A programme session of a DAPO that has been held (so an outcome can be recorded); for a
/// correction, one the missed-session detector has already marked missed.
async fn held_session(app: &TestApp, missed: bool) -> Value {
    let (registrant, _) = with_order(app, dapo("2026-03-02", "2026-03-03")).await;
    app.sessions_held().await;
    if missed {
        jobs::detect_missed::run(&app.db, vigil::clock::now(), std::time::Duration::from_secs(3600)).await.unwrap();
    }
    let list = obligations(app, &registrant).await;
    of_kind(&list, "attend_programme")[0]["occurrences"][0].clone()
}

/// A link proposed for review: a registrant like the suspect of the report `example`, the
/// report recorded and checked.
async fn proposed_link(app: &TestApp, report: &Value) -> Value {
    let supervisor = app.token(Role::Supervisor, "met");
    let suspect = &report["suspect"];
    let person = json!({
        "names": [{ "kind": "primary", "given": suspect["names"][0]["given"], "family": suspect["names"][0]["family"] }],
        "birth_dates": [suspect["date_of_birth"]],
        "identifiers": suspect["identifiers"],
    });
    app.registrant("met", person).await;
    // Another crime reference than the example's: the example itself is recorded later.
    let mut report = report.clone();
    report["crime_reference"] = json!("EXAMPLE/LINK/1");
    let (status, receipt) = app.post("/api/v1/reports", &supervisor, &report).await;
    assert_eq!(status, 201, "{receipt}");
    let (status, check, _) = crate::register_check::check(app, &supervisor, id(&receipt)).await;
    assert_eq!(status, 200, "{check}");
    let (_, queue) = app.get("/api/v1/links", &supervisor).await;
    queue[0].clone()
}
