//! Customers (客户档案): who is visited, their tier and the lifecycle dates that trigger visits,
//! and the field-by-field edits that create and change them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{
    edit::{Edit, EditError, Editable, FieldChange},
    ids::{CustomerId, UserId},
    validate,
};

/// A customer as the follow-up rules and the technician see it. 客户
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    /// Identifier, made where the customer was first recorded.
    pub id: CustomerId,
    /// Name. 姓名
    pub name: String,
    /// Phone number. 联系电话
    pub phone: String,
    /// Address for on-site visits. 地址
    pub address: String,
    /// Tier that sets the visit cadence. 客户等级
    pub tier: Tier,
    /// Product model bought. 产品型号
    pub product: String,
    /// Purchase date (start of warranty). 购买日期
    #[serde(with = "crate::time::serde_as::date")]
    pub purchased_on: NaiveDate,
    /// Installation date, if installed. 安装日期
    #[serde(default, with = "crate::time::serde_as::option_date")]
    pub installed_on: Option<NaiveDate>,
    /// Date of the last completed repair, if any. 维修完成日期
    #[serde(default, with = "crate::time::serde_as::option_date")]
    pub repaired_on: Option<NaiveDate>,
    /// The technician responsible for visiting this customer. 负责技术员
    pub technician_id: UserId,
}

/// Customer tier (000 §A: VIP monthly, normal quarterly). 客户等级
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// VIP customer. VIP客户
    Vip,
    /// Normal customer. 普通客户
    Normal,
}

impl Tier {
    /// Every tier, in the order a form lists them.
    pub const ALL: [Tier; 2] = [Tier::Vip, Tier::Normal];

    /// The stable spelling used on the wire, in policies and in the database.
    pub fn code(self) -> &'static str {
        match self {
            Tier::Vip => "vip",
            Tier::Normal => "normal",
        }
    }
}

/// One change of one field of a customer. 客户资料修改
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum CustomerChange {
    /// 姓名
    Name(String),
    /// 联系电话 (also the correction of a blank or wrong number, 000 §C)
    Phone(String),
    /// 地址
    Address(String),
    /// 客户等级
    Tier(Tier),
    /// 产品型号
    Product(String),
    /// 购买日期
    PurchasedOn(#[serde(with = "crate::time::serde_as::date")] NaiveDate),
    /// 安装日期 (none clears it)
    InstalledOn(#[serde(with = "crate::time::serde_as::option_date")] Option<NaiveDate>),
    /// 维修完成日期 (none clears it)
    RepairedOn(#[serde(with = "crate::time::serde_as::option_date")] Option<NaiveDate>),
    /// 负责技术员: a reassignment; the tablets follow at their next sync.
    Technician(UserId),
}

/// Creating or changing a customer.
pub type CustomerEdit = Edit<CustomerId, CustomerChange>;

impl CustomerChange {
    /// Whether a technician may make this change to a customer of theirs: contact details
    /// (a corrected number, a new address), not the tier, the dates or who is in charge.
    pub fn technician_may_make(&self) -> bool {
        matches!(
            self,
            CustomerChange::Name(_) | CustomerChange::Phone(_) | CustomerChange::Address(_)
        )
    }
}

impl FieldChange for CustomerChange {
    type Record = Customer;

    fn field(&self) -> &'static str {
        match self {
            CustomerChange::Name(_) => "name",
            CustomerChange::Phone(_) => "phone",
            CustomerChange::Address(_) => "address",
            CustomerChange::Tier(_) => "tier",
            CustomerChange::Product(_) => "product",
            CustomerChange::PurchasedOn(_) => "purchased_on",
            CustomerChange::InstalledOn(_) => "installed_on",
            CustomerChange::RepairedOn(_) => "repaired_on",
            CustomerChange::Technician(_) => "technician",
        }
    }

    fn apply(&self, c: &mut Customer) {
        match self {
            CustomerChange::Name(v) => c.name = v.trim().to_owned(),
            CustomerChange::Phone(v) => c.phone = v.trim().to_owned(),
            CustomerChange::Address(v) => c.address = v.trim().to_owned(),
            CustomerChange::Tier(v) => c.tier = *v,
            CustomerChange::Product(v) => c.product = v.trim().to_owned(),
            CustomerChange::PurchasedOn(v) => c.purchased_on = *v,
            CustomerChange::InstalledOn(v) => c.installed_on = *v,
            CustomerChange::RepairedOn(v) => c.repaired_on = *v,
            CustomerChange::Technician(v) => c.technician_id = *v,
        }
    }

    fn current(&self, c: &Customer) -> CustomerChange {
        match self {
            CustomerChange::Name(_) => CustomerChange::Name(c.name.clone()),
            CustomerChange::Phone(_) => CustomerChange::Phone(c.phone.clone()),
            CustomerChange::Address(_) => CustomerChange::Address(c.address.clone()),
            CustomerChange::Tier(_) => CustomerChange::Tier(c.tier),
            CustomerChange::Product(_) => CustomerChange::Product(c.product.clone()),
            CustomerChange::PurchasedOn(_) => CustomerChange::PurchasedOn(c.purchased_on),
            CustomerChange::InstalledOn(_) => CustomerChange::InstalledOn(c.installed_on),
            CustomerChange::RepairedOn(_) => CustomerChange::RepairedOn(c.repaired_on),
            CustomerChange::Technician(_) => CustomerChange::Technician(c.technician_id),
        }
    }
}

impl Editable for Customer {
    type Id = CustomerId;
    type Change = CustomerChange;

    fn create(id: CustomerId, changes: &[CustomerChange]) -> Result<Customer, EditError> {
        let find = |field: &'static str| changes.iter().find(|c| c.field() == field);
        let mut c = Customer {
            id,
            name: String::new(),
            phone: String::new(),
            address: String::new(),
            tier: Tier::Normal,
            product: String::new(),
            purchased_on: match find("purchased_on") {
                Some(CustomerChange::PurchasedOn(d)) => *d,
                _ => return Err(EditError::Missing("purchased_on")),
            },
            installed_on: None,
            repaired_on: None,
            technician_id: match find("technician") {
                Some(CustomerChange::Technician(t)) => *t,
                _ => return Err(EditError::Missing("technician")),
            },
        };
        for required in ["name", "phone"] {
            if find(required).is_none() {
                return Err(EditError::Missing(required));
            }
        }
        for change in changes {
            change.apply(&mut c);
        }
        Ok(c)
    }

    fn check(&self) -> Result<(), EditError> {
        validate::line("name", &self.name, validate::SHORT_TEXT, true)?;
        validate::phone("phone", &self.phone)?;
        validate::line("address", &self.address, validate::ADDRESS_TEXT, false)?;
        validate::line("product", &self.product, validate::SHORT_TEXT, false)?;
        validate::date("purchased_on", self.purchased_on)?;
        if let Some(d) = self.installed_on {
            validate::date("installed_on", d)?;
        }
        if let Some(d) = self.repaired_on {
            validate::date("repaired_on", d)?;
        }
        Ok(())
    }
}

impl Customer {
    /// The changes that create this customer as it is (an import, a seed, a test).
    pub fn as_changes(&self) -> Vec<CustomerChange> {
        let mut changes = vec![
            CustomerChange::Name(self.name.clone()),
            CustomerChange::Phone(self.phone.clone()),
            CustomerChange::Address(self.address.clone()),
            CustomerChange::Tier(self.tier),
            CustomerChange::Product(self.product.clone()),
            CustomerChange::PurchasedOn(self.purchased_on),
            CustomerChange::Technician(self.technician_id),
        ];
        if self.installed_on.is_some() {
            changes.push(CustomerChange::InstalledOn(self.installed_on));
        }
        if self.repaired_on.is_some() {
            changes.push(CustomerChange::RepairedOn(self.repaired_on));
        }
        changes
    }

    /// The changes that turn `self` into `other` (same id), field by field: what an import
    /// or a form changed.
    pub fn changes_to(&self, other: &Customer) -> Vec<CustomerChange> {
        other
            .as_changes()
            .into_iter()
            .chain([
                CustomerChange::InstalledOn(other.installed_on),
                CustomerChange::RepairedOn(other.repaired_on),
            ])
            .filter(|c| c.current(self) != *c)
            .fold(Vec::new(), |mut all, c| {
                if !all.iter().any(|d: &CustomerChange| d.field() == c.field()) {
                    all.push(c);
                }
                all
            })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use uuid::Uuid;

    /// A valid customer, as a test starts from.
    pub(crate) fn sample_customer() -> Customer {
        Customer {
            id: CustomerId(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001)),
            name: "张伟".into(),
            phone: "13812345678".into(),
            address: "北京市朝阳区建国路1号".into(),
            tier: Tier::Vip,
            product: "净水器 RO-400".into(),
            purchased_on: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            installed_on: Some(NaiveDate::from_ymd_opt(2026, 11, 3).unwrap()),
            repaired_on: None,
            technician_id: UserId(Uuid::from_u128(7)),
        }
    }

    #[test]
    fn a_customer_is_created_from_its_changes_and_checked() {
        let c = sample_customer();
        assert_eq!(Customer::create(c.id, &c.as_changes()), Ok(c.clone()));
        assert_eq!(c.check(), Ok(()));
        let no_phone: Vec<_> = c
            .as_changes()
            .into_iter()
            .filter(|ch| ch.field() != "phone")
            .collect();
        assert_eq!(
            Customer::create(c.id, &no_phone),
            Err(EditError::Missing("phone"))
        );
    }

    #[test]
    fn the_changes_between_two_customers_are_the_fields_that_differ() {
        let a = sample_customer();
        let mut b = a.clone();
        b.phone = "13900000000".into();
        b.installed_on = None;
        assert_eq!(
            a.changes_to(&b),
            vec![
                CustomerChange::Phone("13900000000".into()),
                CustomerChange::InstalledOn(None)
            ]
        );
        assert!(a.changes_to(&a).is_empty());
    }

    #[test]
    fn changes_read_and_write_as_one_field_objects() {
        let json = serde_json::to_string(&CustomerChange::InstalledOn(NaiveDate::from_ymd_opt(
            2026, 11, 3,
        )))
        .unwrap();
        assert_eq!(json, r#"{"installed_on":"2026-11-03"}"#);
        let cleared: CustomerChange = serde_json::from_str(r#"{"installed_on":null}"#).unwrap();
        assert_eq!(cleared, CustomerChange::InstalledOn(None));
        assert!(serde_json::from_str::<CustomerChange>(r#"{"colour":"red"}"#).is_err());
        assert!(
            serde_json::from_str::<CustomerChange>(r#"{"purchased_on":"0000-01-01"}"#).is_err()
        );
    }

    #[test]
    fn technicians_may_correct_contact_details_only() {
        assert!(CustomerChange::Phone("1".into()).technician_may_make());
        assert!(!CustomerChange::Tier(Tier::Vip).technician_may_make());
        assert!(!CustomerChange::Technician(UserId(Uuid::nil())).technician_may_make());
    }
}
