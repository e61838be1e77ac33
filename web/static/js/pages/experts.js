// The expert list, filtered by the form's query.
import { loadExperts } from "/static/js/experts.js";

loadExperts(document.getElementById("expert-list"));
