import Testing
@testable import HotshardCapture
