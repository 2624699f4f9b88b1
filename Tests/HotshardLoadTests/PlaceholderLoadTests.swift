import Testing
@testable import HotshardLoad
