"""Create's catalogue as tables: template rows, the provider/model pairs templates suggest, and style-preset
rows. Pure data that imports nothing from the domain, so rows can be read and added without the logic; the
models, their checks and the search over them live in `domain/templates.py` and `domain/style_presets.py`.
"""
