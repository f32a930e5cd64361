package httpapi

// YAMLToJSON is yamlToJSON, for the tests of the external test package.
var YAMLToJSON = yamlToJSON
