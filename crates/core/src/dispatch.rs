//! The dispatcher: each request of the API's one method list goes to the backend's handler of
//! the same name. Every face (Tauri IPC, loopback HTTP, tests) comes through here.

use serde_json::Value;

use callscope_api::Request;

use crate::backend::{Backend, Caller};
use crate::error::{Error, Result};

macro_rules! define_dispatch {
    ($( $(#[doc = $doc:expr])* $method:ident ( $params:ty ) -> $result:ty ; )*) => {
        impl Backend {
            /// Answer one request.
            pub async fn dispatch(&self, caller: Caller, request: Request) -> Result<Value> {
                match request {
                    $( Request::$method(params) => to_json(self.$method(caller, params).await?), )*
                }
            }
        }
    };
}

callscope_api::api_methods!(define_dispatch);

fn to_json<T: serde::Serialize>(value: T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::Internal(format!("serialising a response: {e}")))
}
