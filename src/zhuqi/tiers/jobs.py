"""The tiers' background jobs (filled in by the assessment run)."""
