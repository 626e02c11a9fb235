//! GraphQL objects of the payer CRM, and the labels of its choice fields (CONTRACT.md §3).

use async_graphql::{ComplexObject, Context, InputObject, MaybeUndefined, SimpleObject};
use chrono::NaiveDate;
use entity::{student, teacher, user_info, visit_record};

use super::loaders::{StudentLoader, TeacherLoader};
use crate::{
    graphql::{loader::Cached, row::Inline},
    page_type, row_object,
};

/// `sex` values and their labels.
pub const SEX: &[(&str, &str)] = &[("male", "男"), ("female", "女")];
/// `follow_up` values and their labels.
pub const FOLLOW_UP: &[(&str, &str)] = &[
    ("one2one", "购买一对一"),
    ("consider", "考虑中"),
    ("abandon", "放弃购买"),
    ("appointment", "预约试听"),
];
/// `deep_consume` values and their labels.
pub const DEEP_CONSUME: &[(&str, &str)] = &[
    ("5_class_bag", "5课时课时包"),
    ("30_class_bag", "30课时课时包"),
    ("60_class_bag", "60课时课时包"),
];
/// Team-up states of `group_info`. Only 3 is attested by the seed; the others follow its wording.
pub const GROUP_STATUS: &[(i32, &str)] = &[
    (0, "未组队无资格"),
    (1, "已组队"),
    (2, "组队中"),
    (3, "未组队有资格"),
];

/// The label of `value` among `choices` (none without a value).
pub fn label(choices: &[(&str, &'static str)], value: Option<&str>) -> Option<&'static str> {
    crate::graphql::row::label(choices, value?)
}

row_object! {
    // Serial: the only list of payers, `payers`, feeds the teacher and student loaders.
    /// A paid user of the coding school (a `UserInfo` with `is_pay`).
    pub struct Payer(user_info::Model) serial {
        /// Primary key (legacy `pk`).
        id: i32,
        /// Login name, usually the phone number.
        owner: &str,
        /// Display name.
        name: &str,
        avatar: &str,
        age: i32,
        points: i32,
        lesson_total: i32,
        is_seller: bool,
        /// Commission as a decimal string with two places, e.g. `"0.00"`.
        reads(commission_cents) async fn commission(&self) -> String {
            let c = self.0.commission_cents;
            let sign = if c < 0 { "-" } else { "" };
            format!("{sign}{}.{:02}", c.abs() / 100, c.abs() % 100)
        }
        /// The id of the seller who brought this user.
        reads(my_seller_id) async fn my_seller(&self) -> Option<i32> {
            self.0.my_seller_id
        }
        remark: Option<&str>,
        /// The user's teacher.
        reads(teacher_id) async fn teacher(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Inline<Teacher>>> {
            let Some(id) = self.0.teacher_id else {
                return Ok(None);
            };
            let loader = ctx.data::<Cached<TeacherLoader>>()?;
            Ok(loader.load_one(id).await?.map(|t| Inline(Teacher(t))))
        }
        /// The user's student profile.
        reads(student_id) async fn student(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Inline<Student>>> {
            let Some(id) = self.0.student_id else {
                return Ok(None);
            };
            let loader = ctx.data::<Cached<StudentLoader>>()?;
            Ok(loader.load_one(id).await?.map(|s| Inline(Student(s))))
        }
        /// `student`, `teacher` or null.
        identity: Option<&str>,
        is_pay: bool,
        is_bind: bool,
        /// The bound account (WeChat openid or username).
        bind_account: &str,
        /// Team-up state.
        reads(group_status) async fn group_info(&self) -> Inline<GroupInfo> {
            Inline(GroupInfo {
                status: self.0.group_status,
            })
        }
        /// Starred by staff.
        star: bool,
        realname: Option<&str>,
        city: Option<&str>,
        /// Name of the learning progress, e.g. `Python`.
        learn_extent: Option<&str>,
        /// Follow-up state: `one2one`, `consider`, `abandon` or `appointment`.
        follow_up: Option<&str>,
        /// Label of `followUp`.
        reads(follow_up) async fn follow_up_display(&self) -> Option<&'static str> {
            label(FOLLOW_UP, self.0.follow_up.as_deref())
        }
        /// Deep-consumption course bag: `5_class_bag`, `30_class_bag` or `60_class_bag`.
        deep_consume: Option<&str>,
        /// Label of `deepConsume`.
        reads(deep_consume) async fn deep_consume_display(&self) -> Option<&'static str> {
            label(DEEP_CONSUME, self.0.deep_consume.as_deref())
        }
        /// `male` or `female`.
        sex: Option<&str>,
        /// Label of `sex`.
        reads(sex) async fn sex_display(&self) -> Option<&'static str> {
            label(SEX, self.0.sex.as_deref())
        }
    }
}

/// Team-up state of a user.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct GroupInfo {
    pub status: i32,
}

#[ComplexObject]
impl GroupInfo {
    /// Label of `status`.
    async fn status_display(&self) -> Option<&'static str> {
        crate::graphql::row::label(GROUP_STATUS, self.status)
    }
}

row_object! {
    /// A teacher.
    pub struct Teacher(teacher::Model) serial {
        id: i32,
        owner: &str,
    }
}

row_object! {
    /// A student profile.
    pub struct Student(student::Model) serial {
        id: i32,
        owner: &str,
        name: &str,
        /// WeChat nickname.
        nickname: &str,
        avatar: &str,
        sex: &str,
        birthday: Option<NaiveDate>,
    }
}

row_object! {
    /// A record of a visit (call or meeting) with a contact.
    pub struct VisitRecord(visit_record::Model) serial {
        id: i32,
        /// The contact's phone number or username.
        contact: &str,
        detail: Option<&str>,
        /// Day of the visit, `YYYY-MM-DD`.
        visit_time: Option<NaiveDate>,
    }
}

page_type!(PayerPage, Inline<Payer>, "A page of paid users.");
page_type!(VisitRecordPage, VisitRecord, "A page of visit records.");

crate::graphql::filter_input! {
    /// Filters of the payer list (CONTRACT.md §2).
    #[derive(InputObject, Default, Debug)]
    pub struct PayerFilter {
        /// Case-insensitive substring of owner, name, realname, bind account or WeChat nickname.
        kw: text,
        /// Only starred (true) or unstarred (false) users.
        star: Option<bool>,
        /// Only users enrolled in this course id.
        course: Option<i32>,
        /// Only users at this learning progress (its name).
        extent: text,
    }
}

/// A partial update of a payer: absent fields stay as they are, null clears a nullable field.
#[derive(InputObject, Debug)]
pub struct UpdatePayerInput {
    /// The payer's owner (login name).
    pub username: String,
    pub star: MaybeUndefined<bool>,
    pub realname: MaybeUndefined<String>,
    pub age: MaybeUndefined<i32>,
    /// `male` or `female`.
    pub sex: MaybeUndefined<String>,
    pub city: MaybeUndefined<String>,
    pub remark: MaybeUndefined<String>,
    /// `one2one`, `consider`, `abandon` or `appointment`.
    pub follow_up: MaybeUndefined<String>,
    /// `5_class_bag`, `30_class_bag` or `60_class_bag`.
    pub deep_consume: MaybeUndefined<String>,
}

/// A new visit record.
#[derive(InputObject, Debug)]
pub struct CreateVisitRecordInput {
    /// Phone number or username of the contact.
    pub contact: String,
    pub detail: Option<String>,
    /// `YYYY-MM-DD`; `2018-5-5` is accepted too.
    pub visit_time: Option<String>,
}
