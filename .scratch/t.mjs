import {Environment} from '@marcbachmann/cel-js'
const env = new Environment({unlistedVariablesAreDyn: true})
console.log(env.evaluate(String.raw`self.matches(r'/\.\.?(/|$)')`, {self: '/a/../b'}), env.evaluate(String.raw`self.matches(r'/\.\.?(/|$)')`, {self: '/a/..b'}))
console.log(env.evaluate(String.raw`r'\s\p{Cc}'`, {}))
