extension Int {
    /// `self + other`, held at `Int.max`/`Int.min` instead of trapping: counts in a result file are
    /// input, and a crafted file must not crash the renderer.
    func saturatingAdd(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }
}
