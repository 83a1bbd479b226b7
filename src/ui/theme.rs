#[derive(Debug)]
pub struct Theme;
#[derive(Debug, thiserror::Error)]
#[error("theme")]
pub struct ThemeError;
impl Theme {
    pub fn load(_n: &str) -> Result<Self, ThemeError> {
        Ok(Theme)
    }
}
