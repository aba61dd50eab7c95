"""Stand-ins for the platform's models and objects that Open edX filters pass (real Django models, test SQLite)."""
