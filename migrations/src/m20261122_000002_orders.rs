//! Orders, their protected persons and conditions, and the legal regimes that say which
//! notification duties an order creates. Regimes are rows, not code, because they differ and
//! keep changing (see DESIGN §2).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::support::{created_at, drop_tables, fk, id, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (code, title, initial trigger, initial days, change days, change events, annual, weekly when
/// of no fixed abode, in person, written acknowledgement, travel notice days, qualifying stay days)
type RegimeRow =
    (&'static str, &'static str, &'static str, Option<i32>, Option<i32>, &'static str, bool, bool, bool, bool, Option<i32>, Option<i32>);

const REGIMES: [RegimeRow; 5] = [
    ("none", "No notification requirements", "none", None, None, "", false, false, false, false, None, None),
    // SPA 2019 s.9: within 3 days beginning with the day of service; changes within 3 days; s.10
    // in person at a police station with a written acknowledgement. No periodic duty.
    ("spa2019_s9", "Stalking Protection Act 2019 s.9", "service", Some(3), Some(3), "name,address", false, false, true, true, None, None),
    // DAA 2021 s.41: within 3 days beginning with the day the order is made; changes include
    // ceasing to have any home address.
    (
        "daa2021_s41",
        "Domestic Abuse Act 2021 s.41",
        "made",
        Some(3),
        Some(3),
        "name,address,no_home_address",
        false,
        false,
        true,
        true,
        None,
        None,
    ),
    // SOA 2003 Part 2: 3 days; annual re-notification reset by any change; weekly when of no
    // fixed abode; foreign travel 7 days before; a 7-day stay at an unnotified address.
    (
        "soa2003_part2",
        "Sexual Offences Act 2003 Part 2",
        "made",
        Some(3),
        Some(3),
        "name,address,no_home_address,qualifying_stay",
        true,
        true,
        true,
        true,
        Some(7),
        Some(7),
    ),
    (
        "serial_stalker_register",
        "Serial stalker register (proposed, SOA model)",
        "made",
        Some(3),
        Some(3),
        "name,address,no_home_address,qualifying_stay,online_identifier,device,vehicle",
        true,
        true,
        true,
        true,
        Some(7),
        Some(7),
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("regimes")
                    .col(string("code").primary_key())
                    .col(string("title"))
                    .col(string("initial_trigger"))
                    .col(integer_null("initial_days"))
                    .col(integer_null("change_days"))
                    .col(string("change_events"))
                    .col(boolean("annual"))
                    .col(boolean("nfa_weekly"))
                    .col(boolean("in_person"))
                    .col(boolean("acknowledgement_required"))
                    .col(integer_null("travel_notice_days"))
                    .col(integer_null("qualifying_stay_days"))
                    .to_owned(),
            )
            .await?;
        for r in REGIMES {
            let mut insert = Query::insert();
            insert
                .into_table("regimes")
                .columns([
                    "code",
                    "title",
                    "initial_trigger",
                    "initial_days",
                    "change_days",
                    "change_events",
                    "annual",
                    "nfa_weekly",
                    "in_person",
                    "acknowledgement_required",
                    "travel_notice_days",
                    "qualifying_stay_days",
                ])
                .values([
                    r.0.into(),
                    r.1.into(),
                    r.2.into(),
                    r.3.into(),
                    r.4.into(),
                    r.5.into(),
                    r.6.into(),
                    r.7.into(),
                    r.8.into(),
                    r.9.into(),
                    r.10.into(),
                    r.11.into(),
                ])
                .map_err(|e| DbErr::Custom(e.to_string()))?;
            manager.exec_stmt(insert.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("orders")
                    .col(id())
                    .col(uuid("registrant_id"))
                    .col(string("kind"))
                    .col(string("regime_code"))
                    .col(string_null("court"))
                    .col(blob_null("case_reference_sealed"))
                    .col(date("made_on"))
                    .col(date_null("served_on"))
                    .col(date_null("effective_on"))
                    .col(date_null("expires_on"))
                    .col(boolean("until_further_order"))
                    .col(string("status"))
                    .col(string("managing_org"))
                    .col(integer("version"))
                    .col(string("created_by"))
                    .col(created_at())
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("orders", "registrant_id", "registrants"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_orders_regime_code")
                            .from("orders", "regime_code")
                            .to("regimes", "code")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .check(Expr::cust("expires_on IS NULL OR expires_on >= made_on"))
                    .to_owned(),
            )
            .await?;
        index(manager, "orders", &["registrant_id"]).await?;
        index(manager, "orders", &["status", "expires_on"]).await?;

        manager
            .create_table(
                Table::create()
                    .table("order_protected_persons")
                    .col(id())
                    .col(uuid("order_id"))
                    .col(string("data_subject_category"))
                    .col(blob("details_sealed"))
                    .col(created_at())
                    .foreign_key(&mut fk("order_protected_persons", "order_id", "orders"))
                    .to_owned(),
            )
            .await?;
        index(manager, "order_protected_persons", &["order_id"]).await?;

        manager
            .create_table(
                Table::create()
                    .table("order_conditions")
                    .col(id())
                    .col(uuid("order_id"))
                    .col(string("kind"))
                    .col(string("category"))
                    .col(blob_null("parameters_sealed"))
                    .col(blob("text_sealed"))
                    .col(string_null("responsible_person"))
                    .col(text_null("schedule"))
                    .col(date_null("starts_on"))
                    .col(date_null("ends_on"))
                    .col(created_at())
                    .foreign_key(&mut fk("order_conditions", "order_id", "orders"))
                    .to_owned(),
            )
            .await?;
        index(manager, "order_conditions", &["order_id"]).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["order_conditions", "order_protected_persons", "orders", "regimes"]).await
    }
}
