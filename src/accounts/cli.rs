//! `opsgraph staff|role|key`: account administration for the operator of the machine, through
//! the same service (and rules, and audit log) as GraphQL. Passwords are read from a prompt
//! without echo, or from standard input's first line when it is not a terminal, never from an
//! argument (which any user of the machine could read in the process list).

use std::{
    io::{BufRead, IsTerminal},
    time::Duration,
};

use clap::{Args, Subcommand};
use entity::{role, staff};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use super::{
    service::{self, Operator},
    types::{
        ApiKeyFilter, CreateRoleInput, CreateStaffInput, Role, StaffFilter, UpdateRoleInput,
        UpdateStaffInput,
    },
};
use crate::{db::CountCache, graphql::page::PageArgs};

/// `opsgraph staff …`.
#[derive(Subcommand)]
pub enum StaffCommand {
    /// Creates an account; the password is read from a prompt or stdin.
    Create {
        #[arg(long)]
        username: String,
        /// Its role, by name or id.
        #[arg(long)]
        role: String,
        #[arg(long)]
        nickname: Option<String>,
        #[arg(long)]
        mobile: Option<String>,
    },
    /// Lists accounts.
    List {
        /// A substring of the username, nickname or mobile.
        #[arg(long)]
        keyword: Option<String>,
        /// Only holders of this role (name or id).
        #[arg(long)]
        role: Option<String>,
        /// Only active (true) or disabled (false) accounts.
        #[arg(long)]
        active: Option<bool>,
    },
    /// Gives an account another role (by name or id).
    SetRole { username: String, role: String },
    /// Disables an account and ends its sessions.
    Disable { username: String },
    /// Enables a disabled account (its old tokens stay ended).
    Enable { username: String },
    /// Sets an account's password (read from a prompt or stdin) and ends its sessions.
    ResetPassword { username: String },
}

/// `opsgraph role …`.
#[derive(Subcommand)]
pub enum RoleCommand {
    /// Creates a role granting the given codes.
    Create { name: String, codes: Vec<String> },
    /// Lists roles with their codes.
    List,
    /// Adds codes to a role (by name or id).
    Grant {
        role: String,
        #[arg(required = true)]
        codes: Vec<String>,
    },
    /// Takes codes from a role (by name or id).
    Revoke {
        role: String,
        #[arg(required = true)]
        codes: Vec<String>,
    },
}

/// Whose key: a staff account or a member.
#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct KeyOwner {
    /// A staff account's username.
    #[arg(long)]
    staff: Option<String>,
    /// A kids-coding member's user-info id.
    #[arg(long)]
    member: Option<i32>,
}

/// `opsgraph key …`.
#[derive(Subcommand)]
pub enum KeyCommand {
    /// Creates a key and prints it, once: only its digest is kept.
    Create {
        #[command(flatten)]
        owner: KeyOwner,
    },
    /// Lists keys (prefixes and owners, never keys).
    List {
        /// Only keys of this staff account (username).
        #[arg(long)]
        staff: Option<String>,
        /// Only keys of this member (user-info id).
        #[arg(long)]
        member: Option<i32>,
    },
    /// Revokes a key by its id or its prefix.
    Revoke { id_or_prefix: String },
}

/// Totals counted afresh: a command lists once.
static NO_COUNTS: std::sync::LazyLock<CountCache> =
    std::sync::LazyLock::new(|| CountCache::new(Duration::ZERO));

/// The result of a command.
type CliResult = anyhow::Result<()>;

/// Runs a `staff` command.
pub async fn staff(db: &DatabaseConnection, command: StaffCommand) -> CliResult {
    let op = Operator::Console;
    match command {
        StaffCommand::Create {
            username,
            role,
            nickname,
            mobile,
        } => {
            let role_id = role_id(db, &role).await?;
            let password = read_password(&format!("Password for {username}: "), true)?;
            let input = CreateStaffInput {
                username,
                password,
                nickname,
                mobile,
                role_id,
            };
            let created = service::create_staff(db, &op, input).await?;
            println!("created staff {} (id {})", created.username, created.id);
        }
        StaffCommand::List {
            keyword,
            role,
            active,
        } => {
            let role_id = match role {
                Some(role) => Some(role_id(db, &role).await?),
                None => None,
            };
            let filter = StaffFilter {
                keyword,
                role_id,
                is_active: active,
            };
            let roles = service::list_roles(db).await?;
            println!("id\tusername\tnickname\tmobile\trole\tactive");
            for_each_page(|page| service::list_staff(db, &NO_COUNTS, &filter, page))
                .await?
                .into_iter()
                .for_each(|s| {
                    let role = roles.iter().find(|r| r.id == s.role_id).map(|r| &r.name);
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        s.id,
                        s.username,
                        s.nickname,
                        s.mobile.unwrap_or_default(),
                        role.map_or("", String::as_str),
                        s.is_active
                    );
                });
        }
        StaffCommand::SetRole { username, role } => {
            let input = UpdateStaffInput {
                role_id: Some(role_id(db, &role).await?),
                ..Default::default()
            };
            let id = staff_id(db, &username).await?;
            service::update_staff(db, &op, id, input).await?;
            println!("{username} now holds the role {role}");
        }
        StaffCommand::Disable { username } => set_active(db, &username, false).await?,
        StaffCommand::Enable { username } => set_active(db, &username, true).await?,
        StaffCommand::ResetPassword { username } => {
            let id = staff_id(db, &username).await?;
            let password = read_password(&format!("New password for {username}: "), true)?;
            service::reset_staff_password(db, &op, id, &password).await?;
            println!("password of {username} set; its sessions ended");
        }
    }
    Ok(())
}

async fn set_active(db: &DatabaseConnection, username: &str, active: bool) -> CliResult {
    let input = UpdateStaffInput {
        is_active: Some(active),
        ..Default::default()
    };
    let id = staff_id(db, username).await?;
    service::update_staff(db, &Operator::Console, id, input).await?;
    println!(
        "{username} {}",
        if active {
            "enabled"
        } else {
            "disabled; its sessions ended"
        }
    );
    Ok(())
}

/// Runs a `role` command.
pub async fn role(db: &DatabaseConnection, command: RoleCommand) -> CliResult {
    let op = Operator::Console;
    match command {
        RoleCommand::Create { name, codes } => {
            let input = CreateRoleInput {
                name,
                permissions: codes,
            };
            let created = service::create_role(db, &op, input).await?;
            println!("created role {} (id {})", created.name, created.id);
        }
        RoleCommand::List => {
            println!("id\tname\tsuperuser\tcodes");
            for r in service::list_roles(db).await? {
                let codes = if r.superuser {
                    "(every code)".to_owned()
                } else {
                    r.permissions.join(",")
                };
                println!("{}\t{}\t{}\t{codes}", r.id, r.name, r.superuser);
            }
        }
        RoleCommand::Grant { role, codes } => change_codes(db, &role, &codes, true).await?,
        RoleCommand::Revoke { role, codes } => change_codes(db, &role, &codes, false).await?,
    }
    Ok(())
}

/// Adds (`grant`) or takes away codes of a role.
async fn change_codes(
    db: &DatabaseConnection,
    role: &str,
    codes: &[String],
    grant: bool,
) -> CliResult {
    let current: Role = service::role(db, role_id(db, role).await?).await?;
    let mut permissions: Vec<String> = current
        .permissions
        .into_iter()
        .filter(|c| grant || !codes.contains(c))
        .collect();
    if grant {
        permissions.extend(codes.iter().cloned());
    }
    let input = UpdateRoleInput {
        name: None,
        permissions: Some(permissions),
    };
    let after = service::update_role(db, &Operator::Console, current.id, input).await?;
    println!("{}: {}", after.name, after.permissions.join(","));
    Ok(())
}

/// Runs a `key` command.
pub async fn key(db: &DatabaseConnection, command: KeyCommand) -> CliResult {
    let op = Operator::Console;
    match command {
        KeyCommand::Create { owner } => {
            let (key, made) = match (owner.staff, owner.member) {
                (Some(username), _) => {
                    let id = staff_id(db, &username).await?;
                    service::create_key(db, &op, service::KeyOwner::Staff(id)).await?
                }
                (None, Some(member)) => {
                    service::create_key(db, &op, service::KeyOwner::Member(member)).await?
                }
                (None, None) => anyhow::bail!("name the owner: --staff or --member"),
            };
            eprintln!(
                "key {} for {} (shown once; only its digest is kept):",
                made.row.id, made.owner
            );
            println!("{key}");
        }
        KeyCommand::List { staff, member } => {
            let staff_id = match staff {
                Some(username) => Some(staff_id(db, &username).await?),
                None => None,
            };
            let filter = ApiKeyFilter {
                staff_id,
                member_id: member,
            };
            println!("id\tprefix\tkind\towner\tcreated\tlast used");
            for_each_page(|page| service::list_keys(db, &NO_COUNTS, &filter, page))
                .await?
                .into_iter()
                .for_each(|k| {
                    let kind = if k.row.staff_id.is_some() {
                        "staff"
                    } else {
                        "member"
                    };
                    println!(
                        "{}\t{}\t{kind}\t{}\t{}\t{}",
                        k.row.id,
                        k.row.prefix.as_deref().unwrap_or("?"),
                        k.owner,
                        crate::db::iso_datetime(k.row.created_at),
                        k.row
                            .last_used_at
                            .map(crate::db::iso_datetime)
                            .unwrap_or_else(|| "never".into())
                    );
                });
        }
        KeyCommand::Revoke { id_or_prefix } => {
            // Ids are short numbers, prefixes 6 characters: a 6-character name is a prefix.
            let revoked = match id_or_prefix.parse::<i32>() {
                Ok(id) if id_or_prefix.len() < 6 => {
                    service::revoke_key(db, &op, Some(id), None).await?
                }
                _ => service::revoke_key(db, &op, None, Some(&id_or_prefix)).await?,
            };
            println!("revoked key {} of {}", revoked.row.id, revoked.owner);
        }
    }
    Ok(())
}

/// Every row of a paged list, page after page.
async fn for_each_page<T, F, Fut>(mut page_of: F) -> anyhow::Result<Vec<T>>
where
    F: FnMut(PageArgs) -> Fut,
    Fut: std::future::Future<Output = crate::error::AppResult<(u64, Vec<T>)>>,
{
    let mut all = Vec::new();
    for page in 1.. {
        let args = PageArgs::new(Some(page), Some(100), 100)?;
        let (total, rows) = page_of(args).await?;
        all.extend(rows);
        if all.len() as u64 >= total || page as u64 * 100 >= total {
            break;
        }
    }
    Ok(all)
}

/// A role named by its id or its name.
async fn role_id(db: &DatabaseConnection, name_or_id: &str) -> anyhow::Result<i32> {
    if let Ok(id) = name_or_id.parse::<i32>() {
        return Ok(id);
    }
    let found = id_where(db, role::Column::Id, role::Column::Name.eq(name_or_id)).await?;
    found.ok_or_else(|| anyhow::anyhow!("no role named {name_or_id}"))
}

/// A staff account by its username.
async fn staff_id(db: &DatabaseConnection, username: &str) -> anyhow::Result<i32> {
    let found = id_where(db, staff::Column::Id, staff::Column::Username.eq(username)).await?;
    found.ok_or_else(|| anyhow::anyhow!("no staff account {username}"))
}

/// The `id` of the first row `condition` matches, if any.
async fn id_where<C>(
    db: &DatabaseConnection,
    id: C,
    condition: sea_orm::sea_query::SimpleExpr,
) -> anyhow::Result<Option<i32>>
where
    C: ColumnTrait,
    C::EntityName: EntityTrait<Column = C>,
{
    let found = <C::EntityName as EntityTrait>::find()
        .select_only()
        .column(id)
        .filter(condition)
        .into_tuple::<i32>()
        .one(db)
        .await?;
    Ok(found)
}

/// A password from a prompt without echo (asked twice when `confirm`), or from standard input's
/// first line when it is not a terminal (a pipe or a file: `… < secret.txt`).
pub fn read_password(prompt: &str, confirm: bool) -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(prompt)?;
        if confirm && rpassword::prompt_password("Again: ")? != first {
            anyhow::bail!("the two passwords differ");
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        anyhow::bail!("no password on standard input");
    }
    Ok(password)
}
