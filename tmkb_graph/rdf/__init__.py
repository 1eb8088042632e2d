"""The RDF layer: RDF of everything (build, dataset, export), SHACL, SPARQL (safety, query) and publish."""
