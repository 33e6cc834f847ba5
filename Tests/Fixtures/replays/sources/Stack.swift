/// A last-in, first-out collection.
struct Stack<Element> {
    private var items: [Element] = []

    /// Whether the stack holds nothing.
    var isEmpty: Bool { items.isEmpty }

    /// The number of elements.
    var count: Int { items.count }

    /// Adds an element on top.
    mutating func push(_ element: Element) {
        items.append(element)
    }

    /// Removes and returns the top element, or nil when empty.
    mutating func pop() -> Element? {
        items.popLast()
    }

    /// The top element without removing it.
    func peek() -> Element? {
        items.last
    }
}

extension Stack: CustomStringConvertible {
    var description: String {
        "Stack(" + items.map { "\($0)" }.joined(separator: ", ") + ")"
    }
}
