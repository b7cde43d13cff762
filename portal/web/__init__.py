"""What every response shares: template globals and absolute URLs (presentation), security
headers (security), Chinese error pages (errors) and the reading aids 字号/老年人模式 (prefs)."""
