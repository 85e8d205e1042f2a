//! ns per raw request with an HS256 JWT, natively, on the case the package's figure times
//! (bench/native/raw-case.json, shared with bench/node/raw.mjs): the same policy, request, token,
//! `now` and user record. Prints one JSON line: per case, the ns of
//! - `package path`: what `gate.checkRequestSync` runs in wasm, natively: the request as the
//!   typed parts gate.js sends for a plain request (`PendingRequest::from_parts`), each step
//!   resumed (the JWT verified once), the user lookup answered (its JSON text parsed, as
//!   `answerRequestSync` does, or typed as `answerUserSync` takes a plain record, the lookup
//!   then given as a number: `EdgeStep::pack_lookup`), a decided step packed
//!   (`PendingRequest::pack_step`; its user as JSON text unless gate.js rebuilds it) when it
//!   packs, else rendered as JSON text;
//! - `package path, steps as JSON`: the same with every step rendered as JSON text (the binding
//!   before packed steps);
//! - `package path, JSON crossing`: the same with the request as JSON text
//!   (`PendingRequest::from_json`: what gate.js sends for any other shape);
//! - `check_request`: the core alone (a parsed request, a synchronous resolver, no JSON);
//!
//! and `answers`: each case's final step as JSON text, which run.sh compares with the package's.
//! A case whose status differs from the expected one stops the run (exit 1). All rows are timed
//! in the same rounds, interleaved (`time_interleaved`).
//! `cargo run --release` (run.sh does); `BENCH_ONLY=text` times only the rows whose name contains
//! `text` (e.g. under `perf record`).
use std::hint::black_box;
use std::rc::Rc;
use std::time::Instant;

use drf_gate::authentication::{Answer, Lookup, RawRequest, RawRequestInput, Resolver};
use drf_gate::edge::{EdgeOutcome, EdgeStep, PendingRequest, RequestTarget, StepTexts};
use drf_gate::user::UserInput;
use drf_gate::Gate;
use serde_json::{json, Value};

const CASE: &str = include_str!("../raw-case.json");

struct Users(Value);

impl Resolver for Users {
    fn user_by_id(&self, _field: &str, id: &Value) -> Lookup {
        match self.0.get(id.to_string()) {
            Some(user) => serde_json::from_value::<UserInput>(user.clone()).map_or(Lookup::Unknown, Lookup::Found),
            None => Lookup::NotFound,
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let case: Value = serde_json::from_str(CASE)?;
    let gate = Gate::from_value(case["policy"].clone())?;
    let now = case["now"].as_f64().ok_or("now")?;
    let users = Users(case["users"].clone());
    let mut results = serde_json::Map::new();
    let mut answers = serde_json::Map::new();
    // Every row is timed in the same rounds (see `time_interleaved`), so rows compare under the
    // same machine conditions.
    let mut rows: Vec<(String, Box<dyn Fn() -> usize + '_>)> = Vec::new();
    // `BENCH_ONLY=text`: time only the rows whose name contains it (for a profiler).
    let only = std::env::var("BENCH_ONLY").ok();
    for c in case["cases"].as_array().ok_or("cases")? {
        let name = c["name"].as_str().ok_or("name")?;
        let status = c["status"].as_u64().ok_or("status")?;
        let input = json!({"request": c["request"], "view": "posts", "now": now}).to_string();

        // The parts gate.js sends for this plain request (pkg/src/gate.js `typedRequest`).
        let mut parts = vec![c["request"]["method"].as_str().ok_or("method")?.to_string(), "posts".into()];
        let mut flags = drf_gate::edge::parts::VIEW;
        if let Some(path) = c["request"]["path"].as_str() {
            parts.push(path.into());
            flags |= drf_gate::edge::parts::PATH;
        }
        for (name, value) in c["request"]["headers"].as_object().ok_or("headers")? {
            parts.push(name.clone());
            parts.push(value.as_str().ok_or("header")?.into());
        }
        let text = parts.join(&drf_gate::edge::PARTS_SEPARATOR.to_string());
        let count = parts.len();
        let typed = move || -> Result<PendingRequest, Box<dyn std::error::Error>> {
            Ok(PendingRequest::from_parts(black_box(&text), count, flags, None, None, now)?.ok_or("parts")?)
        };
        let json = move || -> Result<PendingRequest, Box<dyn std::error::Error>> {
            Ok(PendingRequest::from_json(black_box(&input))?)
        };

        // The package's path: parse once, step, answer (its JSON text), step, render. With
        // `packed`, as checkRequestSync's binding does: a decided step packed (`EdgeStep::pack`,
        // numbered per gate, its user as JSON text apart) when it packs, the answer read by
        // serde_json directly; else the step as JSON text (what the answers compare).
        let texts = std::cell::RefCell::new(StepTexts::default());
        let (gate, users) = (&gate, &users);
        let package_path =
            Rc::new(move |start: &dyn Fn() -> Result<PendingRequest, Box<dyn std::error::Error>>, packed: bool| {
                let mut pending = start()?;
                for _ in 0..drf_gate::edge::MAX_STEPS {
                    let step = pending.step(gate)?;
                    if let EdgeStep::Lookup(key) = &step {
                        // Packed: a `userById` lookup as a number (`EdgeStep::pack_lookup`), a plain
                        // record typed (`answerUserSync`).
                        let code = if packed { step.pack_lookup(&mut texts.borrow_mut()) } else { None };
                        let id = match code {
                            Some(code) => (code / 65_536).to_string(),
                            None => serde_json::to_value(key)?["id"].as_str().unwrap_or_default().to_string(),
                        };
                        let record = users.0.get(&id);
                        if let Some(user) = record.filter(|_| packed).and_then(typed_user) {
                            pending.answer(Answer::User(user))?;
                            continue;
                        }
                        let answer = match record {
                            Some(user) => json!({ "user": user }).to_string(),
                            None => r#"{"notFound":true}"#.to_string(),
                        };
                        let answer = match packed {
                            true => serde_json::from_str::<Answer>(&answer)?,
                            false => {
                                drf_gate::json::from_text::<Answer>(&answer).map_err(|e| e.message().to_string())?
                            }
                        };
                        pending.answer(answer)?;
                        continue;
                    }
                    if packed {
                        let mut texts = texts.borrow_mut();
                        if let Some(words) = pending.pack_step(&step, &mut texts) {
                            let id = texts.step_id(words).ok_or("step ids")?;
                            // gate.js rebuilds a user it sent typed; else the user crosses as JSON.
                            if words[9] & drf_gate::edge::packed_step::USER_IS_ANSWER != 0 {
                                return Ok(format!("{id}"));
                            }
                            return Ok(format!("{id}{}", step.user_text()?.unwrap_or_default()));
                        }
                    }
                    return Ok::<String, Box<dyn std::error::Error>>(serde_json::to_string(&step)?);
                }
                Err("too many steps".into())
            });
        let (typed, json) = (Rc::new(typed), Rc::new(json));
        let typed_path = {
            let (path, typed) = (Rc::clone(&package_path), Rc::clone(&typed));
            move || path(&*typed, false)
        };
        let packed_path = {
            let (path, typed) = (Rc::clone(&package_path), Rc::clone(&typed));
            move || path(&*typed, true)
        };
        let json_path = move || package_path(&*json, false);
        let answer = typed_path()?;
        if json_path()? != answer {
            eprintln!("bench/native: {name}: the typed and the JSON crossing differ");
            std::process::exit(1);
        }
        let got: Value = serde_json::from_str(&answer)?;
        if got["decision"]["status"].as_u64() != Some(status) {
            eprintln!("bench/native: {name}: expected status {status}, got {answer}");
            std::process::exit(1);
        }
        answers.insert(name.into(), Value::String(answer));
        let timed = |key: &str| only.as_deref().is_none_or(|only| key.contains(only));
        let key = format!("package path: {name}");
        if timed(&key) {
            rows.push((key, Box::new(move || packed_path().map(|s| s.len()).unwrap_or(0))));
        }
        let key = format!("package path, steps as JSON: {name}");
        if timed(&key) {
            rows.push((key, Box::new(move || typed_path().map(|s| s.len()).unwrap_or(0))));
        }
        let key = format!("package path, JSON crossing: {name}");
        if timed(&key) {
            rows.push((key, Box::new(move || json_path().map(|s| s.len()).unwrap_or(0))));
        }

        // The core alone.
        let raw: RawRequestInput = serde_json::from_value(c["request"].clone())?;
        let request = RawRequest::from_input(raw)?;
        let target = RequestTarget { view: Some("posts".into()), ..Default::default() };
        let decide = move || match gate.check_request(black_box(&request), &target, users, now) {
            Ok(EdgeOutcome::Decided(decision, _)) => decision.status,
            _ => 0,
        };
        if u64::from(decide()) != status {
            eprintln!("bench/native: {name} (check_request): expected status {status}, got {}", decide());
            std::process::exit(1);
        }
        let key = format!("check_request: {name}");
        if timed(&key) {
            rows.push((key, Box::new(move || usize::from(decide()))));
        }
    }
    for ((key, _), ns) in rows.iter().zip(time_interleaved(&rows)) {
        results.insert(key.clone(), json!(ns));
    }
    results.insert("answers".into(), Value::Object(answers));
    println!("{}", Value::Object(results));
    Ok(())
}

/// A record as gate.js sends a plain one (`plainUser`, `answerUserSync`): here the members the
/// case's records have; `None` for others (then JSON).
fn typed_user(record: &Value) -> Option<UserInput> {
    use drf_gate::edge::typed_user as flag;
    let record = record.as_object()?;
    let mut flags = flag::IS_ACTIVE;
    for (name, value) in record {
        let bit = match name.as_str() {
            "id" | "username" => continue,
            "isActive" => flag::IS_ACTIVE,
            "isStaff" => flag::IS_STAFF,
            "isSuperuser" => flag::IS_SUPERUSER,
            _ => return None,
        };
        match value.as_bool()? {
            true => flags |= bit,
            false => flags &= !bit,
        }
    }
    let id = record.get("id")?.as_i64()?;
    let username = match record.get("username") {
        Some(name) => Some(name.as_str()?.to_owned()),
        None => None,
    };
    drf_gate::edge::user_from_parts(id as f64, None, username, flags | flag::ID_NUMBER, None, 0)
}

/// Median ns per call of each row over 7 rounds; each round times one batch of ~150 ms of every
/// row in turn, so all rows see the same machine conditions (one row after another, a change of
/// load between rows read as a difference between them: the package path moved 13.0, 8.42,
/// 4.90, 8.00 µs over four regenerations at the same instruction count).
fn time_interleaved(rows: &[(String, Box<dyn Fn() -> usize + '_>)]) -> Vec<f64> {
    let batches: Vec<u64> = rows
        .iter()
        .map(|(_, f)| {
            for _ in 0..2_000 {
                black_box(f());
            }
            let start = Instant::now();
            let mut n = 0u64;
            while start.elapsed().as_millis() < 50 {
                black_box(f());
                n += 1;
            }
            (n * 3).max(1)
        })
        .collect();
    let mut samples = vec![Vec::with_capacity(7); rows.len()];
    for _ in 0..7 {
        for (((_, f), batch), samples) in rows.iter().zip(&batches).zip(&mut samples) {
            let start = Instant::now();
            for _ in 0..*batch {
                black_box(f());
            }
            samples.push(start.elapsed().as_nanos() as f64 / *batch as f64);
        }
    }
    samples
        .into_iter()
        .map(|mut samples| {
            samples.sort_by(|a, b| a.total_cmp(b));
            samples[3]
        })
        .collect()
}
