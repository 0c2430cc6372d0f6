/// Facts about this build of the tool.
package enum ToolInfo {
    /// The tool's version (semver).
    public static let version = "0.1.0"
}
