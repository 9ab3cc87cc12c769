//! Small helpers at the JavaScript boundary: typed arrays, object fields, errors, panics.

use crate::error::Error;
use js_sys::{Array, Float64Array, Object, Reflect};
use wasm_bindgen::prelude::*;

/// A new plain object.
pub fn object() -> Object {
    Object::new()
}

/// `o[key] = value` (setting a field on a fresh plain object cannot fail).
pub fn set(o: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(o, &JsValue::from_str(key), &value.into());
}

/// A `Float64Array` copy of `v`.
pub fn f64s(v: &[f64]) -> Float64Array {
    Float64Array::from(v)
}

/// `o[key]`, or `undefined`.
pub fn get(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `o[key]` as a number, or NaN.
pub fn num(o: &JsValue, key: &str) -> f64 {
    get(o, key).as_f64().unwrap_or(f64::NAN)
}

/// `o[key]` as a string, or "".
pub fn text(o: &JsValue, key: &str) -> String {
    get(o, key).as_string().unwrap_or_default()
}

/// `o[key]` (a typed array or an array of numbers) as a vector; empty if absent.
pub fn vec(o: &JsValue, key: &str) -> Vec<f64> {
    let v = get(o, key);
    if v.is_instance_of::<Float64Array>() {
        Float64Array::from(v).to_vec()
    } else if Array::is_array(&v) {
        Array::from(&v)
            .iter()
            .map(|x| x.as_f64().unwrap_or(f64::NAN))
            .collect()
    } else {
        Vec::new()
    }
}

/// `o[key]` as an array of values; empty if absent.
pub fn list(o: &JsValue, key: &str) -> Vec<JsValue> {
    let v = get(o, key);
    if Array::is_array(&v) {
        Array::from(&v).iter().collect()
    } else {
        Vec::new()
    }
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
