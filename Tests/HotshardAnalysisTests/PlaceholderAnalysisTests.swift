import Testing
@testable import HotshardAnalysis
