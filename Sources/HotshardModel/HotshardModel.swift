// Placement functions, queue models and the planner land here (issue: ring and queue model).
