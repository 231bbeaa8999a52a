import GRDB

extension Row {
    /// The column's value, or an error when it is not what certpush wrote
    /// there (a damaged file, F2): GRDB's subscripts stop the process instead.
    func value<Value: DatabaseValueConvertible>(_ column: String) throws -> Value {
        try decode(Value.self, forColumn: column)
    }

    func value<Value: DatabaseValueConvertible>(_ index: Int) throws -> Value {
        try decode(Value.self, atIndex: index)
    }

}
