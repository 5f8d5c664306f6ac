"""Reading the manifests: YAML with positions, humectl.yaml, variables, the JSON Schema, the semantic
rules and the domain lint. Nothing here talks to the API or decides a change."""
