// For you's recommender, started before the page's own script: a separate entry whose few
// modules come first, so that Python's download starts while the rest of the page's modules
// are still arriving (on a slow link, a few tenths of a second sooner: the link is otherwise
// idle then). for-you.js takes it over (takeHandedOver), as it takes a movie page's. An
// address that asks for an answer (a favourite, a user) gives Python's start files the link
// first; one that does not lets the search's items table come first. One without ratings
// leaves the movie factors until after the first answer.
import { siteConfig } from "./page.js";
import { handOver, holdRecommender, startOrder } from "./recommender-client.js";

handOver(holdRecommender(siteConfig(), undefined, startOrder(location)));
