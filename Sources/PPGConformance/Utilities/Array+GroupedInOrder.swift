extension Array {
    /// The elements grouped by a key, the groups in the order their keys first appear and each group in the
    /// elements' order: how every report lists outcomes by category, and how the runner reports progress.
    /// - Parameter key: The key of an element, e.g. its category.
    /// - Returns: The groups, in order.
    func groupedInOrder<Key: Hashable>(by key: (Element) -> Key) -> [(key: Key, elements: [Element])] {
        var order: [Key] = []
        var groups: [Key: [Element]] = [:]
        for element in self {
            let value = key(element)
            if groups[value] == nil { order.append(value) }
            groups[value, default: []].append(element)
        }
        return order.map { ($0, groups[$0] ?? []) }
    }
}
