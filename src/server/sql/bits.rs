//! Bit functions, hex/bin, and conversions between number types
//! (toUInt8 … toInt64, toFloat64), with ClickHouse's wrapping.

use sqlparser::ast::Expr;

use super::error::{err_at, SqlError};
use super::functions::{expect_args, Call};
use super::translate::{Lit, Translator, Typed};
use super::types::ChType;

impl Translator {
    pub(super) fn bit_call(
        &mut self,
        c: &Call<'_>,
        args: &[Typed],
        node: &Expr,
    ) -> Result<Option<Typed>, SqlError> {
        let name = c.lower.as_str();
        let (min, max) = match name {
            "bitand" | "bitor" | "bitxor" | "bitshiftleft" | "bitshiftright" | "bitrotateleft"
            | "bitrotateright" | "bittest" | "bithammingdistance" => (2, 2),
            "bitnot" | "bitcount" => (1, 1),
            "hex" | "bin" => {
                expect_args(c, node, 1, 1)?;
                let x = &args[0];
                let bits = x.ty.int_shape().map_or(64, |s| s.1);
                let f = if name == "hex" { "ae_hex" } else { "ae_bin" };
                let arg = match x.ty.base() {
                    ChType::DateTime(_) | ChType::Date => x.sql.clone(),
                    t if t.is_numeric() || t.is_string() => x.sql.clone(),
                    other => return err_at(node, format!("{} does not take {other}", c.name)),
                };
                return Ok(Some(Typed::from_parts(
                    format!("{f}({arg}, {bits})"),
                    ChType::String,
                    &[x],
                )));
            }
            _ => return Ok(None),
        };
        expect_args(c, node, min, max)?;
        for a in args {
            if !a.ty.is_integer() {
                return err_at(node, format!("{} needs integers, got {}", c.name, a.ty));
            }
        }
        let a = &args[0];
        let Some((signed, bits)) = a.ty.int_shape() else {
            return err_at(node, format!("{} needs integers", c.name));
        };
        let wrap = |sql: String, signed: bool, bits: u32| -> String {
            if bits >= 64 {
                sql
            } else if signed {
                format!("ae_to_int({sql}, {bits}, 1)")
            } else {
                format!("({sql} & {})", (1u64 << bits) - 1)
            }
        };
        let t = match name {
            "bitand" | "bitor" | "bitxor" => {
                let b = &args[1];
                let (sb, bb) = b.ty.int_shape().unwrap_or((false, 64));
                let ty = ChType::from_int_shape(signed || sb, bits.max(bb));
                let sql = match name {
                    "bitand" => format!("({} & {})", a.sql, b.sql),
                    "bitor" => format!("({} | {})", a.sql, b.sql),
                    _ => format!("(({0} | {1}) & ~({0} & {1}))", a.sql, b.sql),
                };
                Typed::from_parts(sql, ty, &[a, b])
            }
            "bitnot" => Typed::from_parts(
                wrap(format!("(~{})", a.sql), signed, bits),
                a.ty.base().clone(),
                &[a],
            ),
            "bitshiftleft" => Typed::from_parts(
                wrap(format!("({} << {})", a.sql, args[1].sql), signed, bits),
                a.ty.base().clone(),
                &[a, &args[1]],
            ),
            "bitshiftright" => Typed::from_parts(
                format!("({} >> {})", a.sql, args[1].sql),
                a.ty.base().clone(),
                &[a, &args[1]],
            ),
            "bitrotateleft" | "bitrotateright" => {
                let n = if name == "bitrotateleft" {
                    args[1].sql.clone()
                } else {
                    format!("(-{})", args[1].sql)
                };
                Typed::from_parts(
                    format!("ae_rotate({}, {n}, {bits}, {})", a.sql, u8::from(signed)),
                    a.ty.base().clone(),
                    &[a, &args[1]],
                )
            }
            "bittest" => Typed::from_parts(
                format!("(({} >> {}) & 1)", a.sql, args[1].sql),
                ChType::UInt8,
                &[a, &args[1]],
            ),
            "bitcount" => Typed::from_parts(
                format!("ae_bit_count({}, {bits})", a.sql),
                ChType::UInt8,
                &[a],
            ),
            _ => {
                let b = &args[1];
                let bb = b.ty.int_shape().map_or(64, |s| s.1);
                Typed::from_parts(
                    format!(
                        "ae_bit_count((({0} | {1}) & ~({0} & {1})), {2})",
                        a.sql,
                        b.sql,
                        bits.max(bb)
                    ),
                    ChType::UInt8,
                    &[a, b],
                )
            }
        };
        Ok(Some(t))
    }

    pub(super) fn conversion(
        &mut self,
        c: &Call<'_>,
        args: &mut Vec<Typed>,
        node: &Expr,
    ) -> Result<Option<Typed>, SqlError> {
        let target = match c.lower.as_str() {
            "touint8" => ChType::UInt8,
            "touint16" => ChType::UInt16,
            "touint32" => ChType::UInt32,
            "touint64" => ChType::UInt64,
            "toint8" => ChType::Int8,
            "toint16" => ChType::Int16,
            "toint32" => ChType::Int32,
            "toint64" => ChType::Int64,
            "tofloat64" => {
                expect_args(c, node, 1, 1)?;
                let x = args.remove(0);
                let sql = match x.ty.base() {
                    ChType::String => format!("ae_to_float({})", x.sql),
                    t if t.is_numeric() || t.is_time() => format!("CAST({} AS REAL)", x.sql),
                    other => return err_at(node, format!("toFloat64 does not take {other}")),
                };
                return Ok(Some(Typed::from_parts(sql, ChType::Float64, &[&x])));
            }
            _ => return Ok(None),
        };
        expect_args(c, node, 1, 1)?;
        let x = args.remove(0);
        let Some((signed, bits)) = target.int_shape() else {
            return Ok(None);
        };
        // A value that already fits needs no conversion.
        if let Some((xs, xb)) = x.ty.int_shape() {
            let fits = (xs == signed && xb <= bits) || (!xs && signed && xb < bits);
            if fits {
                return Ok(Some(Typed { ty: target, ..x }));
            }
        }
        if let (ChType::String, Some(Lit::Str(s))) = (x.ty.base(), &x.lit) {
            if s.trim().parse::<i128>().is_err() && s.trim().parse::<f64>().is_err() {
                return err_at(node, format!("{}: cannot parse '{s}' as a number", c.name));
            }
        }
        if !(x.ty.is_numeric() || x.ty.is_string() || x.ty.is_time()) {
            return err_at(node, format!("{} does not take {}", c.name, x.ty));
        }
        Ok(Some(Typed::from_parts(
            format!("ae_to_int({}, {bits}, {})", x.sql, u8::from(signed)),
            target,
            &[&x],
        )))
    }
}
