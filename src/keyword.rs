//! Names for the fieldless enums of a config (`poisson1d`, `grid`, `adam`, …).

/// Implements `Display` and `FromStr` for a fieldless enum from one table of
/// `Variant => "name"` pairs, plus `NAMES`, every accepted name in order, and `ALL`,
/// every variant in that order. Parsing
/// trims and ignores case; an unknown name is an [`Error::Invalid`](crate::Error)
/// for `field` that lists the choices.
macro_rules! keyword_enum {
    ($ty:ty, $field:literal, { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every accepted name, in order.
            pub const NAMES: &'static [&'static str] = &[$($name),+];
            /// Every variant, in the order of [`Self::NAMES`].
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(match self { $(Self::$variant => $name),+ })
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::error::Error;
            fn from_str(s: &str) -> $crate::error::Result<Self> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($name => Ok(Self::$variant),)+
                    other => Err($crate::error::Error::invalid(
                        $field,
                        format!("unknown {} {other:?}; choose one of {}", $field, Self::NAMES.join(", ")),
                    )),
                }
            }
        }
    };
}
pub(crate) use keyword_enum;
