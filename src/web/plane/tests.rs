//! The control plane's decisions, event by event, without a browser.

use super::*;

fn link(values: &[(&str, &str)], action: Option<&str>) -> Link {
    Link {
        values: values
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        problems: Vec::new(),
        action: action.map(str::to_owned),
    }
}

fn threads() -> Threads {
    Threads {
        count: 1,
        build: "single".into(),
        note: "2 cores".into(),
        fma: "the FMA build runs threaded only".into(),
    }
}

/// The configure messages among `out`: `(its form, whether it runs)`.
fn configures(out: &[Command]) -> Vec<(Value, bool)> {
    out.iter()
        .filter_map(|c| match c {
            Command::Post { message } if message["type"] == "configure" => {
                Some((message["form"].clone(), message["run"] == true))
            }
            _ => None,
        })
        .collect()
}

fn posts(out: &[Command]) -> Vec<String> {
    out.iter()
        .filter_map(|c| match c {
            Command::Post { message } => Some(message["type"].as_str().unwrap().to_owned()),
            _ => None,
        })
        .collect()
}

fn starts(out: &[Command]) -> Vec<Option<String>> {
    out.iter()
        .filter_map(|c| match c {
            Command::StartWorker { threads } => Some(threads.clone()),
            _ => None,
        })
        .collect()
}

/// A page whose first worker is ready and ran `first`'s settings (answered at
/// generation 1), with this machine's rates known (`rates`) or not.
fn started(first: Link, rates: bool) -> ControlPlane {
    let mut p = ControlPlane::new();
    p.handle(
        Event::Init {
            first: Some(first),
            isolated: false,
            threads: None,
            worker_since: None,
        },
        0.0,
    );
    if rates {
        p.rates = Some(Rates {
            rfm: 2e9,
            network: 2e9,
        });
    }
    let out = p.handle(
        Event::Ready {
            threads: threads(),
            form: Form::new(),
        },
        10.0,
    );
    if !configures(&out).is_empty() {
        p.handle(
            Event::Ok {
                request: "configure".into(),
                running: true,
                generation: 1,
            },
            20.0,
        );
    }
    p
}

fn snapshot(generation: u32) -> Event {
    Event::Snapshot {
        running: true,
        summary: Summary {
            generation,
            model: "rfm".into(),
            problem: "poisson1d".into(),
            total: 4,
            set_up: true,
            ..Summary::default()
        },
    }
}

#[test]
fn the_first_ready_worker_runs_the_first_link_over_its_defaults() {
    let mut p = ControlPlane::new();
    let out = p.handle(
        Event::Init {
            first: Some(link(
                &[("problem", "biharmonic1d"), ("model", "two-layer")],
                None,
            )),
            isolated: true,
            threads: None,
            worker_since: None,
        },
        0.0,
    );
    assert_eq!(starts(&out), [None]);
    assert_eq!(p.phase(), Phase::Starting);
    let out = p.handle(
        Event::Ready {
            threads: threads(),
            form: Form::new(),
        },
        5.0,
    );
    let sent = configures(&out);
    assert_eq!(sent.len(), 1);
    let (form, run) = &sent[0];
    assert!(run);
    assert_eq!(form["problem"], "biharmonic1d");
    // The network's own defaults under the link: its optimizer and points.
    assert_eq!(form["optimizer"], "lm");
    assert_eq!(form["n"], "100");
    assert!(out.contains(&Command::ToHash));
    assert!(p.view().ready && p.view().link_pending);
}

#[test]
fn only_snapshots_of_the_confirmed_generation_are_drawn_and_none_while_editing() {
    let mut p = started(link(&[], None), true);
    assert!(p.handle(snapshot(1), 30.0).contains(&Command::Draw));
    assert!(
        !p.handle(snapshot(0), 31.0).contains(&Command::Draw),
        "an older generation"
    );
    let form = p.form.clone();
    p.handle(
        Event::Changing {
            key: "m".into(),
            form: form.clone(),
        },
        32.0,
    );
    assert!(p.handle(snapshot(1), 33.0).is_empty(), "editing");
    // New settings: nothing is drawn until the worker confirms their generation.
    let out = p.handle(Event::Apply { form }, 40.0);
    assert_eq!(configures(&out).len(), 1);
    assert!(!p.handle(snapshot(1), 41.0).contains(&Command::Draw));
    p.handle(
        Event::Ok {
            request: "configure".into(),
            running: true,
            generation: 2,
        },
        42.0,
    );
    assert!(p.handle(snapshot(2), 43.0).contains(&Command::Draw));
}

#[test]
fn heavy_settings_are_held_until_run_and_a_confirmed_cost_is_not_asked_again() {
    let heavy = link(
        &[
            ("problem", "poisson2d"),
            ("model", "rfm"),
            ("m", "12000"),
            ("n", "2500"),
        ],
        None,
    );
    let mut p = started(link(&[], None), true);
    let out = p.handle(Event::Link(heavy.clone()), 50.0);
    let sent = configures(&out);
    assert_eq!(sent.len(), 1);
    assert!(!sent[0].1, "held: configured without running");
    assert!(out.iter().any(
        |c| matches!(c, Command::BudgetNote { text: Some(t) } if t.contains("waits for you"))
    ));
    assert_eq!(p.phase(), Phase::Held);
    let out = p.handle(Event::Run, 60.0);
    assert_eq!(posts(&out), ["resume"]);
    assert!(!p.view().held);
    // The same cost again runs unasked.
    let out = p.handle(Event::Link(heavy), 70.0);
    assert!(configures(&out)[0].1);
}

#[test]
fn heavy_at_the_slow_prior_waits_for_this_machines_rates() {
    let heavy = link(
        &[
            ("problem", "poisson2d"),
            ("model", "rfm"),
            ("m", "4000"),
            ("n", "2500"),
        ],
        None,
    );
    let mut p = started(link(&[], None), false);
    let out = p.handle(Event::Link(heavy), 50.0);
    assert!(configures(&out).is_empty());
    assert_eq!(posts(&out), ["rates"]);
    let out = p.handle(
        Event::Rates {
            rates: Rates {
                rfm: 1e12,
                network: 1e12,
            },
        },
        60.0,
    );
    let sent = configures(&out);
    assert_eq!(sent.len(), 1);
    assert!(sent[0].1, "light at a fast machine's rates");
}

#[test]
fn the_supervisor_replaces_a_stuck_worker_and_a_stuck_pause_leaves_it_stopped() {
    let mut p = started(link(&[], None), true);
    p.handle(Event::Toggle, 100.0); // pause
    assert!(p.handle(Event::Tick, 100.0 + STUCK_MS - 1.0).is_empty());
    let out = p.handle(Event::Tick, 100.0 + STUCK_MS + 1.0);
    assert_eq!(starts(&out), [None]);
    assert_eq!(p.phase(), Phase::Stopped);
    // The replacement takes the settings, held because the page is stopped.
    let out = p.handle(
        Event::Ready {
            threads: threads(),
            form: p.form.clone(),
        },
        5000.0,
    );
    assert!(!configures(&out)[0].1);
    // Reports and rate measurements are never stuck.
    let mut q = started(link(&[], None), true);
    q.handle(
        Event::Request {
            request: "report".into(),
        },
        0.0,
    );
    assert!(q.handle(Event::Tick, 10_000.0).is_empty());
}

#[test]
fn a_threaded_worker_that_never_starts_falls_back_to_the_single_threaded_build_once() {
    let mut p = ControlPlane::new();
    p.handle(
        Event::Init {
            first: None,
            isolated: true,
            threads: Some("2".into()),
            worker_since: Some(0.0),
        },
        0.0,
    );
    // The page started the first worker itself: the plane supervises it all the same.
    assert!(p.handle(Event::Tick, START_MS - 1.0).is_empty());
    let out = p.handle(Event::Tick, START_MS + 1.0);
    assert_eq!(starts(&out), [Some("off".into())]);
    assert!(p.handle(Event::Tick, 3.0 * START_MS).is_empty(), "once");
    p.handle(
        Event::Ready {
            threads: threads(),
            form: Form::new(),
        },
        3.0 * START_MS,
    );
    let note = p.view().threads.unwrap().note;
    assert!(note.contains("did not start within 15 s"), "{note}");
}

#[test]
fn a_second_crash_on_the_same_settings_stays_stopped() {
    let mut p = started(link(&[], None), true);
    let out = p.handle(
        Event::Panic {
            message: "boom".into(),
        },
        100.0,
    );
    assert_eq!(starts(&out).len(), 1);
    assert_ne!(p.phase(), Phase::Stopped);
    p.handle(
        Event::Ready {
            threads: threads(),
            form: p.form.clone(),
        },
        200.0,
    );
    let out = p.handle(
        Event::Panic {
            message: "boom".into(),
        },
        300.0,
    );
    assert!(out
        .iter()
        .any(|c| matches!(c, Command::GeneralError { text } if text.contains("crashed again"))));
    assert_eq!(p.phase(), Phase::Stopped);
    // Run tries once more.
    p.handle(
        Event::Ready {
            threads: threads(),
            form: p.form.clone(),
        },
        400.0,
    );
    p.handle(Event::Run, 500.0);
    assert_ne!(p.phase(), Phase::Stopped);
}

#[test]
fn a_rejected_link_runs_the_defaults_and_says_why() {
    let mut p = started(link(&[], None), true);
    p.handle(Event::Link(link(&[("m", "0")], None)), 50.0);
    let out = p.handle(
        Event::Error {
            request: "configure".into(),
            field: "m".into(),
            message: "invalid m: 0 is out of range".into(),
        },
        60.0,
    );
    let sent = configures(&out);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0["m"], "400", "the defaults");
    assert!(out.iter().any(|c| matches!(c, Command::GeneralError { text } if text.starts_with("This link's m was rejected"))));
    // An invalid value typed by hand shows beside its control instead.
    let out = p.handle(
        Event::Error {
            request: "configure".into(),
            field: "m".into(),
            message: "no".into(),
        },
        70.0,
    );
    assert!(matches!(&out[..], [Command::ShowError { field, .. }] if field == "m"));
}

#[test]
fn a_links_sweep_starts_with_it_or_on_run_when_held() {
    let mut p = started(link(&[], None), true);
    p.handle(Event::Link(link(&[("model", "rfm")], Some("sweep"))), 50.0);
    let out = p.handle(
        Event::Ok {
            request: "configure".into(),
            running: true,
            generation: 2,
        },
        60.0,
    );
    assert_eq!(posts(&out), ["sweep"]);
    let heavy = link(
        &[("problem", "poisson2d"), ("m", "12000"), ("n", "2500")],
        Some("sweep"),
    );
    p.handle(Event::Link(heavy), 70.0);
    let out = p.handle(
        Event::Ok {
            request: "configure".into(),
            running: false,
            generation: 3,
        },
        80.0,
    );
    assert!(posts(&out).is_empty(), "held: no sweep yet");
    assert_eq!(posts(&p.handle(Event::Run, 90.0)), ["sweep"]);
}

#[test]
fn changing_the_model_moves_untouched_settings_to_its_defaults() {
    let mut p = started(
        link(&[("problem", "poisson1d"), ("width", "30")], None),
        true,
    );
    let mut form = p.form.clone();
    form.insert("model".into(), "two-layer".into());
    let out = p.handle(
        Event::Changing {
            key: "model".into(),
            form,
        },
        50.0,
    );
    let moved = out
        .iter()
        .find_map(|c| match c {
            Command::WriteControls { values } => Some(values.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        moved.get("n").map(String::as_str),
        Some("100"),
        "the network's points"
    );
    assert!(!moved.contains_key("width"), "touched by the link: stays");
    assert!(out
        .iter()
        .any(|c| matches!(c, Command::DefaultsNote { text } if text.contains("network"))));
}

#[test]
fn events_and_commands_cross_as_the_pages_json() {
    let event: Event =
        serde_json::from_str(r#"{"link":{"values":{"m":"40"},"problems":["x"],"action":"sweep"}}"#)
            .unwrap();
    let mut want = link(&[("m", "40")], Some("sweep"));
    want.problems = vec!["x".into()];
    assert_eq!(event, Event::Link(want));
    let event: Event = serde_json::from_str(
        r#"{"init":{"first":null,"isolated":true,"threads":"off","workerSince":3}}"#,
    )
    .unwrap();
    assert!(matches!(event, Event::Init { worker_since: Some(s), .. } if s == 3.0));
    assert_eq!(
        serde_json::from_str::<Event>(r#""tick""#).unwrap(),
        Event::Tick
    );
    let json = serde_json::to_string(&Command::ClearErrors { keep_general: true }).unwrap();
    assert_eq!(json, r#"{"do":"clearErrors","keepGeneral":true}"#);
}
