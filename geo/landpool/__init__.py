"""landpool."""
