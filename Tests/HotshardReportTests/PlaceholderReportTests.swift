import Testing
@testable import HotshardReport
