// Profiles, key distributions, the open-loop runner, replay and synth land here (issue: load generator).
