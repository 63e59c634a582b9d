//! `[metrics]`: whether this process records metrics, and where it serves them.

use std::net::SocketAddr;

use serde::Deserialize;

use super::ConfigError;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMetrics {
    /// Record metrics (default true). Off, no recorder is installed and nothing is measured.
    pub enabled: Option<bool>,
    /// Serve `GET /metrics` on this address (loopback or the monitoring network; it needs no
    /// token). Not served unless set.
    pub listen: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct MetricsSettings {
    pub enabled: bool,
    pub listen: Option<SocketAddr>,
}

impl RawMetrics {
    pub fn validate(&self) -> Result<MetricsSettings, ConfigError> {
        let enabled = self.enabled.unwrap_or(true);
        let listen = self
            .listen
            .as_deref()
            .map(|text| {
                text.parse::<SocketAddr>().map_err(|_| ConfigError::Invalid {
                    setting: "metrics.listen",
                    reason: "must be an address such as 127.0.0.1:9464".into(),
                })
            })
            .transpose()?;
        if listen.is_some() && !enabled {
            return Err(ConfigError::Invalid { setting: "metrics.listen", reason: "is set while metrics.enabled is false".into() });
        }
        Ok(MetricsSettings { enabled, listen })
    }
}
