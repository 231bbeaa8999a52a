extension Array {
    /// This array, or `fallback` when it is empty.
    func ifEmpty(_ fallback: [Element]) -> [Element] { isEmpty ? fallback : self }
}
