#![no_main]
//! Policy text (JSON) through the compiler; a policy that compiles is then asked a few
//! questions, so the compiled form is exercised too.
use drf_gate::Gate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(gate) = Gate::from_json(&text) else { return };
    let views: Vec<String> = gate.view_names().map(str::to_owned).take(4).collect();
    for view in views {
        for context in [
            format!(r#"{{"view": {view:?}, "method": "GET"}}"#),
            format!(r#"{{"view": {view:?}, "method": "POST", "user": {{"id": 1, "isStaff": true}}}}"#),
            format!(
                r#"{{"view": {view:?}, "method": "DELETE", "detail": true, "user": {{"id": 2}}, "object": {{"owner": 2}}}}"#
            ),
        ] {
            let _ = gate.check_json(&context).map(|decision| serde_json::to_string(&decision));
        }
    }
    let _ = gate.route("/api/posts/1/");
});
