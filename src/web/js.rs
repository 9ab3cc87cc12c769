//! Small helpers at the JavaScript boundary: errors that name their field, and panics.

use crate::error::Error;
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

/// A new plain object.
fn object() -> Object {
    Object::new()
}

/// `o[key] = value` (setting a field on a fresh plain object cannot fail).
fn set(o: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(o, &JsValue::from_str(key), &value.into());
}

/// `o[key]`, or `undefined`.
fn get(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// An adfd error as a JS `Error` whose `field` property names the control it is about
/// (empty when it concerns no single field), so the page can show it beside that control.
pub fn error(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    let _ = Reflect::set(
        &err,
        &JsValue::from_str("field"),
        &JsValue::from_str(e.field().unwrap_or("")),
    );
    err.into()
}

/// A plain message as a JS `Error` without a field.
pub fn message(text: &str) -> JsValue {
    let err = js_sys::Error::new(text);
    let _ = Reflect::set(&err, &JsValue::from_str("field"), &JsValue::from_str(""));
    err.into()
}

/// Installs a panic hook that logs the panic and, in a worker, posts
/// `{type: "panic", message}` to the page, so a Rust panic shows as a visible
/// message rather than a dead page. Called once by each side at start-up.
#[wasm_bindgen(js_name = installPanicHook)]
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = format!("adfd panicked: {info}");
        let global = js_sys::global();
        let post = get(&global, "postMessage");
        let is_worker = get(&global, "document").is_undefined();
        if is_worker && post.is_function() {
            let msg = object();
            set(&msg, "type", "panic");
            set(&msg, "message", message.as_str());
            let _ = js_sys::Function::from(post).call1(&global, &msg);
        } else {
            web_sys::console::error_1(&JsValue::from_str(&message));
        }
    }));
}
