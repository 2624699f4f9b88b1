import Testing
@testable import HotshardModel
