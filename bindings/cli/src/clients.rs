//! `maskinporten clients list|create|update|deactivate`.

use crate::admin_args::{AdminArgs, ClientsCommand};
use crate::error::{CliError, CliResult};
use crate::session::AdminSession;
use maskinporten::{
    parse_client, parse_clients, parse_empty, ClientUpdate, NewClient, RegisteredClient, SelfServiceCall,
};
use serde_json::{json, Value};

pub fn run(command: &ClientsCommand) -> CliResult<()> {
    match command {
        ClientsCommand::List { admin, json } => list(admin, *json),
        ClientsCommand::Create { admin, name, description, scopes, json } => {
            let session = AdminSession::from_args(admin)?;
            let client = create(&session, &NewClient::new(name, description, scopes.iter().map(String::as_str)))?;
            if *json {
                println!("{:#}", client_json(&client));
            } else {
                eprintln!(
                    "created the client {:?} (org {})",
                    client.client_name,
                    client.client_orgno.as_deref().unwrap_or("?")
                );
                println!("{}", client.client_id);
            }
            Ok(())
        }
        ClientsCommand::Update { admin, client_id, name, description, add_scopes, remove_scopes } => {
            let session = AdminSession::from_args(admin)?;
            let current = get(&session, client_id)?;
            let mut update = ClientUpdate::from_client(&current);
            if let Some(name) = name {
                update.client_name = name.clone();
            }
            if let Some(description) = description {
                update.description = description.clone();
            }
            if let Some(missing) = remove_scopes.iter().find(|s| !update.scopes.contains(s)) {
                return Err(CliError::Message(format!("the client {client_id} has no scope {missing:?} to remove")));
            }
            update.scopes.retain(|s| !remove_scopes.contains(s));
            for scope in add_scopes {
                if !update.scopes.contains(scope) {
                    update.scopes.push(scope.clone());
                }
            }
            let updated = session.call(
                SelfServiceCall::UpdateClient,
                |api, token| api.update_client_request(token, client_id, &update),
                |status, body| parse_client(SelfServiceCall::UpdateClient, status, body),
            )?;
            println!("updated {}: scopes {}", updated.client_id, updated.scopes.join(" "));
            Ok(())
        }
        ClientsCommand::Deactivate { admin, client_id } => {
            let session = AdminSession::from_args(admin)?;
            session.call(
                SelfServiceCall::DeactivateClient,
                |api, token| api.deactivate_client_request(token, client_id),
                parse_empty,
            )?;
            println!("deactivated {client_id}: it gets no more tokens");
            Ok(())
        }
    }
}

fn list(admin: &AdminArgs, as_json: bool) -> CliResult<()> {
    let session = AdminSession::from_args(admin)?;
    let clients =
        session.call(SelfServiceCall::ListClients, |api, token| api.list_clients_request(token), parse_clients)?;
    if as_json {
        println!("{:#}", Value::Array(clients.iter().map(client_json).collect()));
        return Ok(());
    }
    for client in &clients {
        let state = if client.active { "active" } else { "inactive" };
        println!("{}  {state:8}  {}  [{}]", client.client_id, client.client_name, client.scopes.join(" "));
    }
    if clients.is_empty() {
        eprintln!("the organisation has no clients");
    }
    Ok(())
}

/// `POST /clients`: the new client, with its `client_id`.
pub fn create(session: &AdminSession, client: &NewClient) -> CliResult<RegisteredClient> {
    session.call(
        SelfServiceCall::CreateClient,
        |api, token| api.create_client_request(token, client),
        |status, body| parse_client(SelfServiceCall::CreateClient, status, body),
    )
}

fn get(session: &AdminSession, client_id: &str) -> CliResult<RegisteredClient> {
    session.call(
        SelfServiceCall::GetClient,
        |api, token| api.get_client_request(token, client_id),
        |status, body| parse_client(SelfServiceCall::GetClient, status, body),
    )
}

/// A client as JSON (the CLI's `--json` output).
pub fn client_json(client: &RegisteredClient) -> Value {
    json!({
        "client_id": client.client_id,
        "client_name": client.client_name,
        "description": client.description,
        "client_orgno": client.client_orgno,
        "integration_type": client.integration_type,
        "scopes": client.scopes,
        "active": client.active,
        "created": client.created,
        "last_updated": client.last_updated,
    })
}
