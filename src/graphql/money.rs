//! `Money`: an amount in yuan that travels as a JSON number, an integer when whole (`100`) and
//! with cents otherwise (`99.5`), as the legacy answers show prices. Stored as cents.

use async_graphql::{InputValueError, InputValueResult, Number, Scalar, ScalarType, Value};

/// An amount of money, in cents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Money(pub i64);

fn cents(yuan: f64) -> Option<i64> {
    (yuan.is_finite() && yuan.abs() < 1e13).then(|| (yuan * 100.0).round() as i64)
}

/// An amount in yuan: a number, or a numeric string (`"100"`, `"99.50"`).
#[Scalar(name = "Money")]
impl ScalarType for Money {
    fn parse(value: Value) -> InputValueResult<Self> {
        let yuan = match &value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        yuan.and_then(cents)
            .map(Money)
            .ok_or_else(|| InputValueError::custom("Money must be a number of yuan"))
    }

    /// Checked while validating the request, so a bad amount is the caller's error, refused
    /// before anything runs, not a failure of the resolver that reads it.
    fn is_valid(value: &Value) -> bool {
        Self::parse(value.clone()).is_ok()
    }

    fn to_value(&self) -> Value {
        if self.0 % 100 == 0 {
            Value::Number(Number::from(self.0 / 100))
        } else {
            Number::from_f64(self.0 as f64 / 100.0)
                .map(Value::Number)
                .unwrap_or(Value::Null)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_amounts_are_integers() {
        assert_eq!(Money(10_000).to_value(), Value::Number(100.into()));
        assert_eq!(Money(9_950).to_value().to_string(), "99.5");
        assert_eq!(
            Money::parse(Value::String("99.50".into())).unwrap(),
            Money(9_950)
        );
        assert!(Money::parse(Value::String("abc".into())).is_err());
    }
}
