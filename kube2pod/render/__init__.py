"""Renderers: Plan -> text (shell script, JSON). A renderer never decides semantics."""
