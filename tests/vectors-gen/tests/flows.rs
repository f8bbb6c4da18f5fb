//! The committed flow scenarios against the core's flows (the reference executor).

use maskinporten_vectors::{flow_runner, vectors_dir};
use serde_json::Value;

fn document() -> Value {
    serde_json::from_str(&std::fs::read_to_string(vectors_dir().join("flows.json")).expect("flows.json")).expect("JSON")
}

#[test]
fn every_scenario_passes_through_the_core_flows() {
    let doc = document();
    let tokens = doc["token_scenarios"].as_array().expect("token scenarios");
    let validations = doc["validation_scenarios"].as_array().expect("validation scenarios");
    let exchanges = doc["exchange_scenarios"].as_array().expect("exchange scenarios");
    assert!(tokens.len() >= 15 && validations.len() >= 8 && exchanges.len() >= 10);
    for scenario in tokens {
        let outcomes = flow_runner::run_token_scenario(&doc, scenario, &vectors_dir());
        flow_runner::check_scenario(scenario, &outcomes).unwrap();
    }
    for scenario in exchanges {
        let outcomes = flow_runner::run_exchange_scenario(&doc, scenario, &vectors_dir());
        flow_runner::check_scenario(scenario, &outcomes).unwrap();
    }
    for scenario in validations {
        let outcomes = flow_runner::run_validation_scenario(&doc, scenario);
        flow_runner::check_scenario(scenario, &outcomes).unwrap();
    }
}

#[test]
fn a_wrong_expectation_is_caught() {
    let doc = document();
    for list in ["token_scenarios", "exchange_scenarios", "validation_scenarios"] {
        for scenario in doc[list].as_array().expect("scenarios") {
            let outcomes = match list {
                "token_scenarios" => flow_runner::run_token_scenario(&doc, scenario, &vectors_dir()),
                "exchange_scenarios" => flow_runner::run_exchange_scenario(&doc, scenario, &vectors_dir()),
                _ => flow_runner::run_validation_scenario(&doc, scenario),
            };
            let mut wrong = scenario.clone();
            let requests = wrong["phases"][0]["expect"]["requests"].as_u64().unwrap();
            wrong["phases"][0]["expect"]["requests"] = (requests + 1).into();
            assert!(flow_runner::check_scenario(&wrong, &outcomes).is_err(), "{}", scenario["name"]);
            let mut wrong = scenario.clone();
            wrong["phases"][0]["expect"]["result"] = serde_json::json!({"token": "not-this"});
            assert!(flow_runner::check_scenario(&wrong, &outcomes).is_err(), "{}", scenario["name"]);
            if list == "exchange_scenarios" {
                let mut wrong = scenario.clone();
                wrong["phases"][0]["expect"]["sent"] = serde_json::json!(["exchange tok-a", "token"]);
                assert!(flow_runner::check_scenario(&wrong, &outcomes).is_err(), "{}", scenario["name"]);
            }
        }
    }
}
