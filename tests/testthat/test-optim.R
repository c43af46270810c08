# Optimisers and schedulers. The reference numbers come from PyTorch 1.13
# (tools/optim-reference.py): the Rosenbrock function in float64 from (-1.5, 2), the point
# after steps 1, 2, 3, 10, 20, ..., 100 (L-BFGS: after each of 5 steps), and the learning
# rates (and momenta) a scheduler sets over 10 steps of SGD with lr 0.1, momentum 0.9.

optim_ref <- list(
  sgd = matrix(c(
    -1.345, 2.05,
    -1.46995455, 2.001805,
    -1.3715482399272383, 2.0335972758131406,
    -1.4222144758375517, 2.0014166383474885,
    -1.4086258817553614, 1.9890382978381511,
    -1.4024126164087356, 1.9741317227729152,
    -1.3969124091911005, 1.9589527983113437,
    -1.3914493091648623, 1.9437403903399648,
    -1.3859651008058107, 1.9285150569355165,
    -1.3804552441728566, 1.9132782367485355,
    -1.3749191432200591, 1.8980299549819537,
    -1.3693564409531502, 1.8827701482367991,
    -1.3637667861119513, 1.8674987482466738
  ), ncol = 2, byrow = TRUE),
  sgd_momentum = matrix(c(
    -1.345, 2.05,
    -1.317959095, 2.0516245,
    -1.4387206787970332, 1.9964570516967795,
    -1.323371527595433, 1.9082679177393687,
    -1.2557712220170378, 1.70989966535144,
    -1.2020985818090613, 1.524369164861147,
    -1.1477769067081314, 1.3590212953407956,
    -1.096045827715325, 1.2028317319099462,
    -1.029536256307991, 1.0567283587625595,
    -0.9496083984070667, 0.9172237806375811,
    -0.8764467654276409, 0.7717747288919475,
    -0.7881869104078063, 0.6309602674512212,
    -0.693406677534341, 0.4891979788414142
  ), ncol = 2, byrow = TRUE),
  sgd_nesterov = matrix(c(
    -1.2055, 2.095,
    -1.6595457095550001, 1.891627495,
    -0.6957478417753753, 2.1518472929989154,
    -0.861506272974498, 0.7358089104214615,
    -0.3491453662188937, 0.1166207911971371,
    0.03394769308572942, -0.010174468027755255,
    0.2731131304080064, 0.06925409085439244,
    0.4099525384483332, 0.1645332177324778,
    0.4951378731349544, 0.24240075460058638,
    0.5540059399629004, 0.3045936549883237,
    0.5983365137707519, 0.3559684854059101,
    0.6338431249036496, 0.39993770680129187,
    0.6634875004212173, 0.4385716050724314
  ), ncol = 2, byrow = TRUE),
  sgd_wd = matrix(c(
    -1.34485, 2.0498,
    -1.3672072921490799, 2.0359474596,
    -1.447417695666306, 2.0021876448201312,
    -1.4041540606303349, 1.991742942974417,
    -1.3982530100542336, 1.9624088741021566,
    -1.3881314890782686, 1.9346404528419103,
    -1.3780790880029508, 1.9068350781534806,
    -1.3679543260758624, 1.8790423872880389,
    -1.3577582126652958, 1.851261111469176,
    -1.3474890421386492, 1.823490940848923,
    -1.3371450158450564, 1.7957315780989493,
    -1.3267242717223642, 1.7679827270633905,
    -1.31622487676837, 1.7402440949158602
  ), ncol = 2, byrow = TRUE),
  adam = matrix(c(
    -1.4500000000032258, 2.04999999999,
    -1.4090595504240422, 2.090437361107863,
    -1.389459832779121, 2.1071929178669357,
    -1.456196136578357, 2.012379848113389,
    -1.4171062817867741, 2.007757576958758,
    -1.3919154915550516, 1.9841852359373138,
    -1.3853389093512423, 1.9362245086062975,
    -1.3745064088634462, 1.8868385921216777,
    -1.3569881502035488, 1.8386583304268669,
    -1.336525697003969, 1.7879860433162063,
    -1.3147421804953852, 1.733299468648273,
    -1.2917427410392162, 1.6746683397835318,
    -1.267307111330517, 1.6125102218182412
  ), ncol = 2, byrow = TRUE),
  adam_amsgrad_wd = matrix(c(
    -1.4500000003222688, 2.049999998995984,
    -1.4105141650481217, 2.088818704016449,
    -1.3941753247987865, 2.101878788162374,
    -1.4350139320018176, 2.029095380035523,
    -1.4117854501200755, 1.998817685726625,
    -1.3927890627216684, 1.953845600605143,
    -1.375246961506957, 1.8982940324539324,
    -1.3541286222713107, 1.838854924295136,
    -1.3302686279481468, 1.7759745504221123,
    -1.3050400060421252, 1.7092149898709372,
    -1.278145118005414, 1.639716586156637,
    -1.2497578467289086, 1.567955960377049,
    -1.2199815847343278, 1.4943728243874994
  ), ncol = 2, byrow = TRUE),
  adamw = matrix(c(
    -1.4492500000032258, 2.04899999999,
    -1.4077088618323372, 2.088279431151247,
    -1.3877070137864176, 2.103653497371845,
    -1.451637524921062, 1.9994510034480824,
    -1.4074332669273006, 1.9828288965872003,
    -1.3781863180931946, 1.9465863253428997,
    -1.3677811549978163, 1.8858611157110818,
    -1.3522726212694942, 1.8248654499277177,
    -1.329715990869832, 1.7658476767223001,
    -1.3043806913473366, 1.7045549778542817,
    -1.2779337003990234, 1.6394006053416406,
    -1.2503417760594706, 1.5706083620842215,
    -1.2212746440851214, 1.498737743485037
  ), ncol = 2, byrow = TRUE),
  adamw_amsgrad = matrix(c(
    -1.4425000000032258, 2.03999999999,
    -1.3956190903214327, 2.0688615971514093,
    -1.3719980588093574, 2.071965101753311,
    -1.4109404156134588, 1.8863072285973022,
    -1.32222311442454, 1.7712658493939057,
    -1.260663894424551, 1.634128114992201,
    -1.217411259495421, 1.4798695059873737,
    -1.1601792053289985, 1.3438382597079122,
    -1.0977974632109984, 1.2173469401571533,
    -1.0384805255482668, 1.0903116915533921,
    -0.9794116433099315, 0.9659004833459746,
    -0.9177716129704105, 0.8482788894175777,
    -0.8542851380413219, 0.7370395305123435
  ), ncol = 2, byrow = TRUE),
  rmsprop = matrix(c(
    -1.4900000000064517, 2.00999999998,
    -1.4835491520939998, 2.0164526524598525,
    -1.478598290873509, 2.0214006795545383,
    -1.4587985416027613, 2.0410259923320613,
    -1.4458950418700198, 2.053238149881808,
    -1.4396314313058014, 2.058371230179235,
    -1.4363914012979118, 2.060152198774013,
    -1.4346154128957502, 2.0602370473869396,
    -1.4335317401642014, 2.0594611563050744,
    -1.4327560143580205, 2.0582432602134038,
    -1.4321021977679458, 2.0567845915872045,
    -1.4314835707251992, 2.055176347282381,
    -1.4308611273769065, 2.0534565391699897
  ), ncol = 2, byrow = TRUE),
  rmsprop_centered = matrix(c(
    -1.4966666667383444, 2.0033333331110224,
    -1.4925187540129443, 2.007481685966231,
    -1.4883377523202324, 2.011663364518455,
    -1.4646120884539093, 2.0353251395938554,
    -1.4430512266528472, 2.055791821078311,
    -1.4352875306345012, 2.060827828123748,
    -1.4329093351284607, 2.059150033660072,
    -1.4312034830045834, 2.0545860497156316,
    -1.4285483171803435, 2.0469857094129433,
    -1.424092164803975, 2.0342717002400064,
    -1.4165490562724878, 2.0128399475573007,
    -1.4037145576950734, 1.9766351264788966,
    -1.3817617924431582, 1.9154712023561633
  ), ncol = 2, byrow = TRUE),
  adagrad = matrix(c(
    -1.4000000000000645, 2.0999999999998,
    -1.4428937933523005, 2.051139663106802,
    -1.4297991073536267, 2.0618283407966898,
    -1.4274166899030147, 2.0437338155765454,
    -1.41987278627187, 2.0222553370167264,
    -1.4123076217034936, 2.000828542487279,
    -1.4047203383223381, 1.9794539618435782,
    -1.3971105801676629, 1.9581316041993604,
    -1.3894779864391098, 1.9368614897690464,
    -1.381822191397369, 1.9156436501268346,
    -1.3741428242655145, 1.894478128476365,
    -1.3664395091294816, 1.8733649799331153,
    -1.358711864837759, 1.8523042718200355
  ), ncol = 2, byrow = TRUE),
  adagrad_opts = matrix(c(
    -1.00000104041036, 2.4999899921956317,
    -1.479109536809854, 2.0116701617890067,
    -1.3935519299095849, 2.0680224197793233,
    -1.4220430407690576, 2.0278082805237263,
    -1.4148030737056039, 2.0084615792626943,
    -1.4084239759578725, 1.9904523760791304,
    -1.402494896621811, 1.9737864714147828,
    -1.396954893747343, 1.9582777147132995,
    -1.3917547328489352, 1.9437761346182474,
    -1.3868540391814557, 1.930159145231483,
    -1.3822192848311274, 1.9173252595549612,
    -1.3778223178987867, 1.9051895093389604,
    -1.3736392673095807, 1.893680044024183
  ), ncol = 2, byrow = TRUE),
  adam_groups = matrix(c(
    -1.4500000000032258, 2.009999999998,
    -1.405506963455039, 2.018867199244224,
    -1.3751076318765916, 2.024604359906295,
    -1.4430756900935784, 2.0049607610578497,
    -1.3910567636799593, 2.006088485470635,
    -1.4097976591662227, 1.9921110819628116,
    -1.4127191271459558, 1.9803226713535884,
    -1.3993858656683844, 1.9707437001295574,
    -1.3934143599190572, 1.9585857030424547,
    -1.390941083287893, 1.944628676607954,
    -1.3869925054081564, 1.9299106185525323,
    -1.3814471235938985, 1.9144985583791512,
    -1.3752201022292612, 1.8982481987963886
  ), ncol = 2, byrow = TRUE),
  sgd_groups = matrix(c(
    -1.345, 2.1,
    -1.3573545500000002, 2.03361,
    -1.4675686656616664, 1.923935549762281,
    -1.3749814934081779, 1.9047326732207095,
    -1.3498477747452038, 1.8417913448671015,
    -1.328467547872647, 1.7693209309102857,
    -1.3021967981713238, 1.7045811780476117,
    -1.276272903008958, 1.6374741822224808,
    -1.249747440434436, 1.5701446138679584,
    -1.2222619112540707, 1.5024696048624906,
    -1.1940121948989717, 1.4342392807356987,
    -1.1648473762856286, 1.3655026302237372,
    -1.1346856368359721, 1.2962183519321715
  ), ncol = 2, byrow = TRUE),
  sgd_step_lr = matrix(c(
    -1.19, 2.1,
    -1.5533128, 1.91644,
    -1.253303235185075, 1.949772261857536,
    -1.054943548314046, 1.3217292672376482,
    -0.2406118804789889, -0.04643240546099512,
    0.6524819510640025, 0.3192202897472748,
    0.7129199325488729, 0.5389588511447146,
    0.7621894007312705, 0.5982071264925947,
    0.8004595189458782, 0.6177116322521148,
    0.8034025314394229, 0.631065422659746,
    0.8068794022068733, 0.6420865752849413,
    0.8109535020761707, 0.651980183531545,
    0.8110675863968685, 0.6578969334383922
  ), ncol = 2, byrow = TRUE),
  sgd_mult_lr = matrix(c(
    -1.19, 2.1,
    -1.8258896720000002, 1.8291756000000001,
    0.3393794444546377, 2.41907720567175,
    0.8904325016981796, 1.2222474091609163,
    1.0169821435014474, 1.0884466150396728,
    1.0374589683150397, 1.0773116688149391,
    1.0375876212180815, 1.076735972309792,
    1.0374073507452053, 1.0763603681207614,
    1.0372447230151165, 1.0760223501362987,
    1.0370982219902283, 1.075717896344698,
    1.0369661991347716, 1.0754435673121674,
    1.0368471833393864, 1.0751962953336038,
    1.036739860252961, 1.0749733408297368
  ), ncol = 2, byrow = TRUE),
  sgd_one_cycle = matrix(c(
    -1.4876, 2.004,
    -1.4639226423139289, 2.0116444944443055,
    -1.4286559107654067, 2.0230150839946432,
    -1.5089667577065775, 1.947517421679236,
    -1.195800489440459, 1.676646876966513,
    -1.0304128716533114, 1.1466959086921331,
    -0.9071082395281959, 0.7981995565374191,
    -0.7648606394163643, 0.5774969124179861,
    -0.6279883576826712, 0.41028779934896026,
    -0.516030490661474, 0.2774767566547741,
    -0.43147525541598236, 0.19319424863394133,
    -0.3878615488167652, 0.15723085151647404,
    -0.38100549492366426, 0.15140917086722613
  ), ncol = 2, byrow = TRUE),
  adam_one_cycle_linear = matrix(c(
    -1.498000000000129, 2.0019999999996,
    -1.494154320791763, 2.0058457195970445,
    -1.4885877622311319, 2.0114124572872796,
    -1.4180506628286675, 2.0813317193515974,
    -1.441772165569672, 2.0370859152209793,
    -1.4102168133186768, 2.0361338876652226,
    -1.4095505993031163, 2.002069746130481,
    -1.4065606362754732, 1.972539202575522,
    -1.3943150985709538, 1.9561971823201112,
    -1.3903045798120257, 1.9357621589089398,
    -1.3838499820782837, 1.9237734575904861,
    -1.381477502675509, 1.9143918270103961,
    -1.3806249180321013, 1.9114055370683025
  ), ncol = 2, byrow = TRUE),
  lbfgs_wolfe = matrix(c(
    -0.08511855589860293, -0.028757058413769698,
    0.9995835472529905, 0.9991550319577943,
    0.9999979943196398, 0.9999973438921637,
    0.9999979943196398, 0.9999973438921637,
    0.9999979943196398, 0.9999973438921637
  ), ncol = 2, byrow = TRUE),
  # lbfgs_wolfe: func_evals = 55, n_iter = 43
  lbfgs_wolfe_hist = matrix(c(
    -1.0217822711307085, 1.0702366405477743,
    0.056564218261094465, -0.02217403695043733,
    0.696031135694279, 0.4730234418961275,
    0.9981220749767342, 0.9967816348362879,
    1.0000006898305547, 1.0000015458306801
  ), ncol = 2, byrow = TRUE),
  # lbfgs_wolfe_hist: func_evals = 52, n_iter = 39
  lbfgs_plain = matrix(c(
    -1.4352300569965584, 2.0163943105233497,
    -1.420093513832867, 2.0079123067124405,
    -1.405670288950859, 1.985408546493661,
    -1.3521358674545858, 1.8642129950367499,
    -0.8238511241200005, 0.6056301296096449
  ), ncol = 2, byrow = TRUE),
  # lbfgs_plain: func_evals = 100, n_iter = 100
  NULL
)
lr_ref <- list(
  step = c(
    0.1, 0.1, 0.1, 0.05,
    0.05, 0.05, 0.025, 0.025,
    0.025, 0.0125, 0.0125
  ),
  step_momentum = c(
    0.9, 0.9, 0.9, 0.9,
    0.9, 0.9, 0.9, 0.9,
    0.9, 0.9, 0.9
  ),
  mult = c(
    0.1, 0.09000000000000001, 0.08100000000000002, 0.07290000000000002,
    0.06561000000000002, 0.05904900000000002, 0.05314410000000002, 0.04782969000000002,
    0.043046721000000024, 0.03874204890000002, 0.03486784401000002
  ),
  mult_momentum = c(
    0.9, 0.9, 0.9, 0.9,
    0.9, 0.9, 0.9, 0.9,
    0.9, 0.9, 0.9
  ),
  one_cycle = c(
    0.040000000000000036, 0.52, 1.0, 0.9504846320134737,
    0.8117456539497631, 0.6112620219362893, 0.38874197806371075, 0.18825834605023697,
    0.049519367986526286, 4e-06
  ),
  one_cycle_momentum = c(
    0.95, 0.8999999999999999, 0.85, 0.854951556604879,
    0.8688255099070633, 0.8888739533021842, 0.9111260466978157, 0.9311744900929366,
    0.945048443395121, 0.95
  ),
  NULL
)

RECORD <- c(1, 2, 3, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100)
rosen <- function(p) (1 - p[1])^2 + 100 * (p[2] - p[1]^2)^2

# Runs `make(params)` for `steps` steps (with an optional scheduler) and records the points.
run_rosen <- function(make, split = FALSE, sched = NULL, steps = 100) {
  if (split) {
    px <- torch_tensor(-1.5, dtype = torch_float64(), requires_grad = TRUE)
    py <- torch_tensor(2, dtype = torch_float64(), requires_grad = TRUE)
    params <- list(px, py)
    get <- function() c(px$item(), py$item())
    f <- function() (1 - px)^2 + 100 * (py - px^2)^2
  } else {
    p <- torch_tensor(c(-1.5, 2), dtype = torch_float64(), requires_grad = TRUE)
    params <- p
    get <- function() as.numeric(p)
    f <- function() rosen(p)
  }
  opt <- make(params)
  s <- if (!is.null(sched)) sched(opt)
  rows <- NULL
  for (i in seq_len(steps)) {
    opt$zero_grad()
    loss <- f()
    loss$backward()
    opt$step()
    if (!is.null(s)) s$step()
    if (i %in% RECORD) rows <- rbind(rows, get())
  }
  rows
}

expect_trajectory <- function(got, name) {
  ref <- optim_ref[[name]]
  expect_equal(dim(got), dim(ref))
  expect_lt(max(abs(got - ref) / abs(ref)), 1e-5)
}

run_lbfgs <- function(steps, ...) {
  p <- torch_tensor(c(-1.5, 2), dtype = torch_float64(), requires_grad = TRUE)
  opt <- optim_lbfgs(p, ...)
  closure <- function() {
    opt$zero_grad()
    loss <- rosen(p)
    loss$backward()
    loss
  }
  rows <- NULL
  for (i in seq_len(steps)) {
    opt$step(closure)
    rows <- rbind(rows, as.numeric(p))
  }
  list(rows = rows, state = opt$state_dict()$state[[1]])
}

# ---------------------------------------------------------------- trajectories

test_that("SGD follows PyTorch's trajectories (plain, momentum, Nesterov, weight decay)", {
  expect_trajectory(run_rosen(function(p) optim_sgd(p, lr = 1e-3)), "sgd")
  expect_trajectory(run_rosen(function(p) optim_sgd(p, lr = 1e-3, momentum = 0.9, dampening = 0.1)),
                    "sgd_momentum")
  expect_trajectory(run_rosen(function(p) optim_sgd(p, lr = 1e-3, momentum = 0.9, nesterov = TRUE)),
                    "sgd_nesterov")
  expect_trajectory(run_rosen(function(p) optim_sgd(p, lr = 1e-3, momentum = 0.5, dampening = 0.2,
                                                    weight_decay = 0.1)), "sgd_wd")
})

test_that("Adam and AdamW follow PyTorch's trajectories", {
  expect_trajectory(run_rosen(function(p) optim_adam(p, lr = 0.05)), "adam")
  expect_trajectory(run_rosen(function(p) optim_adam(p, lr = 0.05, betas = c(0.8, 0.99), eps = 1e-6,
                                                     weight_decay = 0.1, amsgrad = TRUE)),
                    "adam_amsgrad_wd")
  expect_trajectory(run_rosen(function(p) optim_adamw(p, lr = 0.05)), "adamw")
  expect_trajectory(run_rosen(function(p) optim_adamw(p, lr = 0.05, weight_decay = 0.1,
                                                      amsgrad = TRUE)), "adamw_amsgrad")
})

test_that("RMSprop and Adagrad follow PyTorch's trajectories", {
  expect_trajectory(run_rosen(function(p) optim_rmsprop(p, lr = 1e-3)), "rmsprop")
  expect_trajectory(run_rosen(function(p) optim_rmsprop(p, lr = 1e-3, alpha = 0.9, eps = 1e-6,
                                                        weight_decay = 0.01, momentum = 0.5,
                                                        centered = TRUE)), "rmsprop_centered")
  expect_trajectory(run_rosen(function(p) optim_adagrad(p, lr = 0.1)), "adagrad")
  expect_trajectory(run_rosen(function(p) optim_adagrad(p, lr = 0.5, lr_decay = 0.01,
                                                        weight_decay = 0.01,
                                                        initial_accumulator_value = 0.1,
                                                        eps = 1e-8)), "adagrad_opts")
})

test_that("parameter groups have their own hyper-parameters", {
  expect_trajectory(run_rosen(function(ps) {
    optim_adam(list(list(params = ps[[1]]), list(params = ps[[2]], lr = 0.01)), lr = 0.05)
  }, split = TRUE), "adam_groups")
  expect_trajectory(run_rosen(function(ps) {
    optim_sgd(list(list(params = ps[[1]], lr = 1e-3), list(params = ps[[2]], momentum = 0.5)),
              lr = 2e-3, momentum = 0.9)
  }, split = TRUE), "sgd_groups")

  a <- torch_zeros(2, requires_grad = TRUE)
  b <- torch_zeros(3, requires_grad = TRUE)
  opt <- optim_sgd(list(list(params = list(a)), list(params = b, lr = 0.5)), lr = 0.1)
  expect_length(opt$param_groups, 2)
  expect_equal(opt$param_groups[[1]]$lr, 0.1)
  expect_equal(opt$param_groups[[2]]$lr, 0.5)
  expect_equal(opt$param_groups[[2]]$momentum, 0)
  expect_true(is_torch_tensor(opt$param_groups[[2]]$params[[1]]))
  opt$param_groups[[1]]$lr <- 0.2
  expect_equal(opt$param_groups[[1]]$lr, 0.2)
  c2 <- torch_zeros(1, requires_grad = TRUE)
  opt$add_param_group(list(params = c2, lr = 1))
  expect_length(opt$param_groups, 3)
  expect_equal(opt$param_groups[[3]]$dampening, 0)
})

test_that("schedulers set the learning rates PyTorch's do", {
  lrs <- function(make) {
    p <- torch_zeros(1, requires_grad = TRUE)
    o <- optim_sgd(p, lr = 0.1, momentum = 0.9)
    s <- make(o)
    out <- o$param_groups[[1]]$lr
    mom <- o$param_groups[[1]]$momentum
    n <- if (inherits(s, "lr_one_cycle")) 9 else 10
    for (i in seq_len(n)) {
      o$step()
      s$step()
      out <- c(out, o$param_groups[[1]]$lr)
      mom <- c(mom, o$param_groups[[1]]$momentum)
    }
    expect_equal(s$get_last_lr(), out[length(out)])
    list(lr = out, momentum = mom)
  }
  r <- lrs(function(o) lr_step(o, step_size = 3, gamma = 0.5))
  expect_equal(r$lr, lr_ref$step, tolerance = 1e-12)
  expect_equal(r$momentum, lr_ref$step_momentum)
  r <- lrs(function(o) lr_multiplicative(o, lr_lambda = function(e) 0.9))
  expect_equal(r$lr, lr_ref$mult, tolerance = 1e-12)
  r <- lrs(function(o) lr_one_cycle(o, max_lr = 1, total_steps = 10))
  expect_equal(r$lr, lr_ref$one_cycle, tolerance = 1e-12)
  expect_equal(r$momentum, lr_ref$one_cycle_momentum, tolerance = 1e-12)
  r <- lrs(function(o) lr_lambda(o, lr_lambda = function(e) 1 / (e + 1)))
  expect_equal(r$lr, 0.1 / (1:11), tolerance = 1e-12)
})

test_that("training with schedulers follows PyTorch's trajectories", {
  expect_trajectory(run_rosen(function(p) optim_sgd(p, lr = 2e-3, momentum = 0.9),
                              sched = function(o) lr_step(o, step_size = 30, gamma = 0.5)),
                    "sgd_step_lr")
  expect_trajectory(run_rosen(function(p) optim_sgd(p, lr = 2e-3),
                              sched = function(o) lr_multiplicative(o, lr_lambda = function(e) 0.99)),
                    "sgd_mult_lr")
  expect_trajectory(run_rosen(function(p) optim_sgd(p, lr = 1e-3, momentum = 0.9),
                              sched = function(o) lr_one_cycle(o, max_lr = 2e-3, total_steps = 100)),
                    "sgd_one_cycle")
  expect_trajectory(run_rosen(function(p) optim_adam(p, lr = 1e-3), sched = function(o) {
    lr_one_cycle(o, max_lr = 0.05, epochs = 10, steps_per_epoch = 10,
                 anneal_strategy = "linear", pct_start = 0.25)
  }), "adam_one_cycle_linear")
})

test_that("L-BFGS follows PyTorch's trajectories, with and without line search", {
  r <- run_lbfgs(5, lr = 1, line_search_fn = "strong_wolfe")
  expect_trajectory(r$rows, "lbfgs_wolfe")
  expect_equal(c(r$state$func_evals, r$state$n_iter), c(55, 43))
  r <- run_lbfgs(5, lr = 1, max_iter = 10, history_size = 3, line_search_fn = "strong_wolfe")
  expect_trajectory(r$rows, "lbfgs_wolfe_hist")
  expect_equal(c(r$state$func_evals, r$state$n_iter), c(52, 39))
  expect_length(r$state$old_dirs, 3)
  r <- run_lbfgs(5, lr = 0.05, max_iter = 20)
  expect_trajectory(r$rows, "lbfgs_plain")
  expect_equal(c(r$state$func_evals, r$state$n_iter), c(100, 100))
})

test_that("L-BFGS optimises several parameters together and returns the first loss", {
  a <- torch_tensor(c(3, -1), dtype = torch_float64(), requires_grad = TRUE)
  b <- torch_tensor(matrix(c(1, 2, 3, 4), 2), dtype = torch_float64(), requires_grad = TRUE)
  opt <- optim_lbfgs(list(a, b), line_search_fn = "strong_wolfe")
  closure <- function() {
    opt$zero_grad()
    loss <- ((a - 1)^2)$sum() + ((b + 2)^2)$sum()
    loss$backward()
    loss
  }
  first <- opt$step(closure)
  expect_equal(first$item(), 4 + 4 + 9 + 16 + 25 + 36)
  expect_equal(as.numeric(a), c(1, 1), tolerance = 1e-6)
  expect_equal(as_array(b), matrix(-2, 2, 2), tolerance = 1e-6)
  expect_equal(b$shape, c(2, 2))
})

# ---------------------------------------------------------------- state and steps

test_that("zero_grad() zeroes the gradients in place, or drops them", {
  x <- torch_tensor(c(1, 2), requires_grad = TRUE)
  opt <- optim_sgd(x, lr = 0.1)
  (x * x)$sum()$backward()
  g <- x$grad
  opt$zero_grad()
  expect_equal(as.numeric(x$grad), c(0, 0))
  expect_equal(as.numeric(g), c(0, 0))
  (x * x)$sum()$backward()
  opt$zero_grad(set_to_none = TRUE)
  expect_null(x$grad)
})

test_that("step() skips parameters without a gradient (as PyTorch)", {
  x <- torch_tensor(c(1, 2), requires_grad = TRUE)
  y <- torch_tensor(c(3, 4), requires_grad = TRUE)
  for (make in list(function(p) optim_sgd(p, lr = 0.1, momentum = 0.9),
                    function(p) optim_adam(p), function(p) optim_adamw(p),
                    function(p) optim_rmsprop(p), function(p) optim_adagrad(p))) {
    opt <- make(list(x, y))
    expect_silent(opt$step())
    expect_equal(as.numeric(x), c(1, 2))
    expect_equal(length(ls(opt$state)), if (inherits(opt, "optim_adagrad")) 2 else 0)
    (x * 2)$sum()$backward()
    opt$step()
    expect_equal(as.numeric(y), c(3, 4))
    expect_false(isTRUE(all.equal(as.numeric(x), c(1, 2))))
    x$grad <- NULL
    with_no_grad(x$copy_(torch_tensor(c(1, 2))))
  }
})

test_that("step(closure) evaluates the closure with gradients on and returns its loss", {
  x <- torch_tensor(c(1, 2), requires_grad = TRUE)
  opt <- optim_sgd(x, lr = 0.25)
  closure <- function() {
    opt$zero_grad()
    loss <- (x * x)$sum()
    loss$backward()
    loss
  }
  loss <- with_no_grad(opt$step(closure))
  expect_equal(loss$item(), 5)
  expect_equal(as.numeric(x), c(0.5, 1))
})

test_that("float32 parameters stay float32 and training reduces the loss", {
  torch_manual_seed(3)
  w <- torch_randn(3, 1, requires_grad = TRUE)
  X <- torch_randn(20, 3)
  y <- X$mm(torch_tensor(matrix(c(1, -2, 0.5), 3)))
  opt <- optim_adam(w, lr = 0.1)
  losses <- numeric()
  for (i in 1:60) {
    opt$zero_grad()
    loss <- ((X$mm(w) - y)^2)$mean()
    loss$backward()
    opt$step()
    losses[i] <- loss$item()
  }
  expect_true(w$dtype == torch_float32())
  expect_true(opt$state[[ls(opt$state)]]$exp_avg$dtype == torch_float32())
  expect_lt(losses[60], losses[1] / 100)
})

test_that("state_dict() and load_state_dict() resume a run exactly", {
  p <- torch_tensor(c(-1.5, 2), dtype = torch_float64(), requires_grad = TRUE)
  opt <- optim_adam(p, lr = 0.05)
  for (i in 1:50) {
    opt$zero_grad()
    rosen(p)$backward()
    opt$step()
  }
  sd <- opt$state_dict()
  expect_named(sd, c("state", "param_groups"))
  expect_named(sd$state, "1")
  expect_equal(sd$state[["1"]]$step, 50)
  expect_equal(sd$param_groups[[1]]$params, 1L)
  expect_equal(sd$param_groups[[1]]$lr, 0.05)
  f <- tempfile()
  torch_save(sd, f)
  sd2 <- torch_load(f)

  p2 <- torch_tensor(as.numeric(p), dtype = torch_float64(), requires_grad = TRUE)
  opt2 <- optim_adam(p2, lr = 0.001)
  opt2$load_state_dict(sd2)
  expect_equal(opt2$param_groups[[1]]$lr, 0.05)
  for (i in 51:100) {
    opt2$zero_grad()
    rosen(p2)$backward()
    opt2$step()
  }
  expect_lt(max(abs(as.numeric(p2) - optim_ref$adam[13, ]) / abs(optim_ref$adam[13, ])), 1e-5)
  # the loaded state is a copy: the original optimiser's is untouched
  expect_equal(sd$state[["1"]]$step, 50)
})

test_that("load_state_dict() rejects mismatched state dicts", {
  a <- torch_zeros(2, requires_grad = TRUE)
  b <- torch_zeros(3, requires_grad = TRUE)
  opt <- optim_sgd(list(a, b), lr = 0.1, momentum = 0.9)
  (a$sum() + b$sum())$backward()
  opt$step()
  sd <- opt$state_dict()
  expect_named(sd$state, c("1", "2"))

  other <- optim_sgd(list(list(params = a), list(params = b)), lr = 0.1, momentum = 0.9)
  expect_torch_error(other$load_state_dict(sd), "value_error",
                     "different number of parameter groups")
  other <- optim_sgd(list(a), lr = 0.1, momentum = 0.9)
  expect_torch_error(other$load_state_dict(sd), "value_error",
                     "doesn't match the size of optimizer's group")
  other <- optim_sgd(list(b, a), lr = 0.1, momentum = 0.9)
  expect_torch_error(other$load_state_dict(sd), "value_error",
                     "size mismatch for state 'momentum_buffer' of parameter 1")
  expect_torch_error(other$load_state_dict(list(a = 1)), "value_error",
                     "must be a list with elements `state` and `param_groups`")
})

# ---------------------------------------------------------------- bad input

test_that("optimisers reject bad parameters and hyper-parameters", {
  x <- torch_zeros(2, requires_grad = TRUE)
  expect_torch_error(optim_sgd(torch_zeros(2), lr = 0.1), "value_error",
                     "parameter 1 of group 1 does not require grad")
  expect_torch_error(optim_adam(list(x, torch_ones(1))), "value_error",
                     "parameter 2 of group 1 does not require grad")
  expect_torch_error(optim_sgd(list(x, 3), lr = 0.1), "type_error",
                     "optimizer can only optimize Tensors, but one of the params is <numeric>")
  expect_torch_error(optim_sgd(x * 2, lr = 0.1), "value_error", "can't optimize a non-leaf Tensor")
  expect_torch_error(optim_sgd(list(), lr = 0.1), "value_error", "empty parameter list")
  expect_torch_error(optim_sgd("x", lr = 0.1), "value_error", "params must be a tensor")
  expect_torch_error(optim_sgd(x), "value_error",
                     "didn't specify a value of required optimization parameter lr")
  expect_torch_error(optim_sgd(list(x, x), lr = 0.1), "value_error",
                     "more than one parameter group")
  expect_torch_error(optim_sgd(x, lr = -1), "value_error", "Invalid learning rate: -1")
  expect_torch_error(optim_sgd(x, lr = 0.1, nesterov = TRUE), "value_error",
                     "Nesterov momentum requires a momentum and zero dampening")
  expect_torch_error(optim_sgd(x, lr = 0.1, momentum = -1), "value_error", "Invalid momentum value")
  expect_torch_error(optim_adam(x, betas = c(1.5, 0.9)), "value_error",
                     "Invalid beta parameter at index 1")
  expect_torch_error(optim_adam(x, eps = -1), "value_error", "Invalid epsilon value")
  expect_torch_error(optim_adamw(x, weight_decay = -1), "value_error", "Invalid weight_decay value")
  expect_torch_error(optim_rmsprop(x, alpha = -1), "value_error", "Invalid alpha value")
  expect_torch_error(optim_adagrad(x, lr_decay = -1), "value_error", "Invalid lr_decay value")
  expect_torch_error(optim_lbfgs(x, line_search_fn = "armijo"), "value_error",
                     "only 'strong_wolfe' is supported")
  expect_torch_error(optim_lbfgs(list(list(params = x), list(params = torch_zeros(1, requires_grad = TRUE)))),
                     "value_error", "LBFGS doesn't support per-parameter options")
  expect_torch_error(optim_lbfgs(x)$step(), "value_error", "optim_lbfgs needs a closure")
})

test_that("schedulers reject bad arguments", {
  x <- torch_zeros(1, requires_grad = TRUE)
  expect_torch_error(lr_step(list(), step_size = 1), "type_error", "is not an optimizer")
  opt <- optim_sgd(x, lr = 0.1)
  expect_torch_error(lr_step(opt, step_size = 1, last_epoch = 3), "value_error",
                     "param 'initial_lr' is not specified")
  expect_torch_error(lr_one_cycle(opt, max_lr = 1), "value_error",
                     "You must define either total_steps OR (epochs AND steps_per_epoch)")
  expect_torch_error(lr_one_cycle(opt, max_lr = 1, total_steps = 0), "value_error",
                     "Expected positive integer total_steps, but got 0")
  expect_torch_error(lr_one_cycle(optim_adagrad(x), max_lr = 1, total_steps = 5), "value_error",
                     "optimizer must support momentum")
  expect_torch_error(lr_one_cycle(opt, max_lr = 1, total_steps = 5, cycle_momentum = FALSE,
                                  anneal_strategy = "exp"), "value_error",
                     "anneal_strategy must by one of 'cos' or 'linear'")
  expect_torch_error(lr_multiplicative(opt, lr_lambda = list(identity, identity)), "value_error",
                     "Expected 1 lr_lambdas, but got 2")
  s <- lr_one_cycle(opt, max_lr = 1, total_steps = 2, cycle_momentum = FALSE)
  s$step()
  s$step()
  expect_torch_error(s$step(), "value_error",
                     "Tried to step 4 times. The specified number of total steps is 2")
})

test_that("custom optimisers and schedulers can be defined", {
  plain <- optimizer(
    "optim_plain",
    initialize = function(params, lr) super$initialize(params, list(lr = lr)),
    step = function(closure = NULL) {
      private$step_helper(closure, function(group, p) p$add_(p$grad, alpha = -group$lr))
    }
  )
  x <- torch_tensor(c(1, -2), requires_grad = TRUE)
  opt <- plain(x, lr = 0.25)
  expect_true(is_optimizer(opt))
  expect_s3_class(opt, "optim_plain")
  (x * x)$sum()$backward()
  opt$step()
  expect_equal(as.numeric(x), c(0.5, -1))
  halving <- lr_scheduler(
    "lr_halving",
    initialize = function(optimizer, last_epoch = -1) super$initialize(optimizer, last_epoch),
    get_lr = function() self$base_lrs * 0.5^self$last_epoch
  )
  s <- halving(opt)
  s$step()
  s$step()
  expect_equal(opt$param_groups[[1]]$lr, 0.0625)
  expect_equal(s$state_dict()$last_epoch, 2)
  expect_equal(s$state_dict()$base_lrs, 0.25)
  m <- lr_multiplicative(opt, lr_lambda = function(e) 0.5)
  expect_false("lr_lambdas" %in% names(m$state_dict()))
  s2 <- halving(opt)
  s2$load_state_dict(s$state_dict())
  expect_equal(s2$last_epoch, 2)
  expect_output(print(opt), "optim_plain")
})
