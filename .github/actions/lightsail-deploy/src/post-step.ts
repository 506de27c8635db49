// dist/post.js (action.yml runs.post) is this file as tsc compiles it, beside the bundle ncc makes.
import { post } from "./bundle.js";

await post();
